"""cXML purchase orders: an ``OrderRequest`` in, a ``Response`` out (no Django here).

Coupa, SAP Ariba and other procurement systems send an approved purchase order as a
cXML ``OrderRequest`` (cXML User's Guide 1.2.x, chapter "Purchase Orders").
:func:`read_order_request` reads one into the internal
:class:`~saleor_oci_plugin.purchase_orders.dataclasses.PurchaseOrder` together with
the envelope the endpoint needs to authenticate the sender;
:func:`build_response` writes the cXML ``Response`` that answers it.

Reading rules (the ones a reader of the specification could decide either way):

* The buyer reference stays empty: cXML has no requester reference (nothing like
  UBL's BT-10). The header ``Contact`` elements (``role="endUser"`` is the requester
  as Ariba and Coupa send it) are kept in :attr:`CXMLOrderRequest.contacts`, and the
  header ``Extrinsic`` values in ``PurchaseOrder.extra``, for whoever maps a
  connection's own convention.
* A line's cost centre is the ``@id`` of the ``AccountingSegment`` whose ``Name`` is
  "Cost Center", "Cost Centre" or "Kostenplaats" (case, spaces, ``-`` and ``_``
  ignored); without such a segment, the first segment. The older
  ``Segment type="..." id="..."`` form is read the same way. A line split over
  several ``Distribution`` elements with different cost centres is refused (one
  line books to one cost centre here). The order's cost centre is the lines' one
  when every line has the same, else empty.
* The NZI code is the first ``ItemDetail/Classification`` whose ``domain`` names NZI
  as a word ("NZI", "nzi-code"; any case); its ``@code`` when present (cXML
  1.2.02x and later), else its text.
* A line's transfer id is ``ItemID/SupplierPartAuxiliaryID`` (the punch-out cart's
  id, echoed back); the order's is the one every line that carries one agrees on,
  empty when the lines name several carts (a merged PO: each line is matched
  against its own transfer when the order is placed).
* Dates keep the calendar date as written (no conversion to another time zone).
* Numbers are cXML numbers: ``.`` as decimal separator, no grouping.

Every problem found is collected and raised together as
:class:`CXMLOrderRequestError` (a
:class:`~saleor_oci_plugin.purchase_orders.dataclasses.PurchaseOrderError`), which
also carries the envelope so that the sender can still be authenticated and the
refusal recorded.

Parsing goes through :func:`saleor_oci_plugin.safe_xml.parse_xml`, which refuses any
DOCTYPE. Real cXML documents start with the standard one (``<!DOCTYPE cXML SYSTEM
"http://xml.cxml.org/schemas/cXML/<version>/cXML.dtd">``), so exactly that
declaration, with no internal subset, is removed first; nothing was ever loaded from
it. Any other DOCTYPE reaches ``parse_xml`` and is refused there.
"""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

from lxml import etree

from ..safe_xml import parse_xml
from .dataclasses import (
    OrderKind,
    PostalAddress,
    Problem,
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)

# Status codes of a cXML Response (cXML User's Guide, "Status").
STATUS_OK: Final = 200
STATUS_ACCEPTED: Final = 201
STATUS_BAD_REQUEST: Final = 400
STATUS_UNAUTHORIZED: Final = 401
STATUS_NOT_ACCEPTABLE: Final = 406
STATUS_CONFLICT: Final = 409
STATUS_INTERNAL_SERVER_ERROR: Final = 500

STATUS_TEXTS: Final[dict[int, str]] = {
    STATUS_OK: "OK",
    STATUS_ACCEPTED: "Accepted",
    STATUS_BAD_REQUEST: "Bad Request",
    STATUS_UNAUTHORIZED: "Unauthorized",
    STATUS_NOT_ACCEPTABLE: "Not Acceptable",
    STATUS_CONFLICT: "Conflict",
    STATUS_INTERNAL_SERVER_ERROR: "Internal Server Error",
}

CXML_VERSION: Final = "1.2.014"
CXML_DTD_URL: Final = f"http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd"
RESPONSE_DOCTYPE: Final = f'<!DOCTYPE cXML SYSTEM "{CXML_DTD_URL}">'

_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'

DEPLOYMENT_MODES: Final = frozenset({"production", "test"})

# Only the standard declaration, right after an optional BOM and XML declaration,
# and only without an internal subset (which is where entities would be declared).
_STANDARD_DOCTYPE = re.compile(
    rb"(?P<keep>(?:\xef\xbb\xbf)?(?:<\?xml[^<>]{0,200}\?>)?\s{0,200})"
    rb"<!DOCTYPE\s{1,20}cXML\s{1,20}SYSTEM\s{1,20}"
    rb"(?P<quote>[\"'])https?://xml\.cxml\.org/schemas/cXML/\d{1,3}(?:\.\d{1,4}){1,3}"
    rb"/cXML\.dtd(?P=quote)\s{0,20}>"
)
_DOCTYPE_SEARCH_WINDOW = 1024

_CXML_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_NZI_DOMAIN = re.compile(r"(?<![a-z])nzi(?![a-z])")
_COST_CENTRE_NAMES = frozenset({"costcenter", "costcentre", "kostenplaats"})
NZI_CODE_MAX_LENGTH: Final = 10

# Characters XML 1.0 cannot carry; replaced in what we write rather than failing.
_NOT_XML_CHARACTERS = re.compile(
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True, slots=True)
class SenderCredential:
    """``Header/Sender``: who sent the document, and the secret that proves it."""

    domain: str
    identity: str
    # Never shown: dataclass repr, logs and error pages must not carry it.
    shared_secret: str = field(default="", repr=False)
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class CXMLContact:
    """An ``OrderRequestHeader/Contact``; ``role="endUser"`` is the requester."""

    role: str
    name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CXMLEnvelope:
    """What a cXML document says about itself, before what it asks for.

    Credentials are ``(domain, identity)`` pairs. ``timestamp`` is kept as written.
    """

    payload_id: str = ""
    timestamp: str = ""
    from_credentials: tuple[tuple[str, str], ...] = ()
    to_credentials: tuple[tuple[str, str], ...] = ()
    sender: SenderCredential | None = None
    # cXML's default when Request/@deploymentMode is absent.
    deployment_mode: str = "production"


@dataclass(frozen=True, slots=True, kw_only=True)
class CXMLOrderRequest(CXMLEnvelope):
    """A cXML ``OrderRequest``: its envelope and the purchase order it carries."""

    purchase_order: PurchaseOrder
    # OrderRequestHeader/@orderVersion, and DocumentReference/@payloadID, which an
    # update or delete uses to point at the order it changes.
    order_version: str = ""
    document_reference: str = ""
    contacts: tuple[CXMLContact, ...] = ()


class CXMLOrderRequestError(PurchaseOrderError):
    """A cXML OrderRequest was refused.

    ``envelope`` holds what could be read of the header (None when the document is
    not cXML at all), so that the caller can still authenticate the sender, record
    the refusal and answer it.
    """

    def __init__(
        self,
        problems: list[Problem] | tuple[Problem, ...],
        envelope: CXMLEnvelope | None = None,
    ) -> None:
        super().__init__(problems)
        self.envelope = envelope


def read_order_request(body: bytes) -> CXMLOrderRequest:
    """Read a cXML ``OrderRequest`` document.

    Raises :class:`~saleor_oci_plugin.safe_xml.UnsafeXMLError` for input that is not
    XML this plugin reads (too large, not well-formed, a DOCTYPE other than the
    standard cXML one), and :class:`CXMLOrderRequestError` listing every problem of
    a document that is XML but not an acceptable order request.
    """
    root = parse_xml(_without_standard_doctype(body))
    return _OrderRequestReader(root).read()


def new_payload_id(domain: str = "saleor-oci-plugin") -> str:
    """A payloadID in the form the cXML User's Guide recommends (time.random@domain)."""
    now = datetime.now(UTC)
    return f"{now:%Y%m%d%H%M%S}.{secrets.token_hex(8)}@{domain}"


def build_response(
    payload_id: str,
    status_code: int,
    text: str,
    *,
    message: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    """Write a cXML ``Response`` with ``Status code="<status_code>" text="<text>"``.

    ``payload_id`` is the Response's own payloadID (use :func:`new_payload_id`; an
    empty one is replaced by a fresh one). The Status element's content is
    ``message``, or ``text`` when no message is given. The timestamp is now.

    ``in_reply_to`` is the payloadID of the request answered. cXML 1.2 defines no
    attribute for it on a Response (only on a Message), so it is written as an XML
    comment, for people reading logs; receivers ignore comments. Characters XML
    cannot carry are replaced by U+FFFD.
    """
    if not 100 <= status_code <= 999:
        raise ValueError(f"a cXML status code has three digits, not {status_code}")
    root = etree.Element("cXML")
    root.set("payloadID", _xml_safe(payload_id.strip() or new_payload_id()))
    root.set("timestamp", datetime.now(UTC).isoformat(timespec="seconds"))
    root.set("version", CXML_VERSION)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    if in_reply_to:
        root.append(etree.Comment(f" in reply to {_comment_safe(in_reply_to)} "))
    response = etree.SubElement(root, "Response")
    status = etree.SubElement(response, "Status")
    status.set("code", str(status_code))
    status.set("text", _xml_safe(text))
    status.text = _xml_safe(text if message is None else message)
    # The declaration in the customary double-quoted form (lxml writes single quotes).
    return _XML_DECLARATION + etree.tostring(
        root, xml_declaration=False, encoding="UTF-8", doctype=RESPONSE_DOCTYPE
    )


# --------------------------------------------------------------------- reading
def _without_standard_doctype(body: bytes) -> bytes:
    match = _STANDARD_DOCTYPE.match(body, 0, _DOCTYPE_SEARCH_WINDOW)
    if match is None:
        return body
    return match.group("keep") + body[match.end() :]


class _OrderRequestReader:
    """Reads one parsed document, collecting every problem before deciding."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def problem(
        self, field: str, message: str, code: str, line: str | None = None
    ) -> None:
        self.problems.append(Problem(field, message, code, line))

    def refuse(self, envelope: CXMLEnvelope | None) -> CXMLOrderRequestError:
        return CXMLOrderRequestError(self.problems, envelope)

    def read(self) -> CXMLOrderRequest:
        if self.root.tag != "cXML":
            self.problem(
                "cXML",
                f"the document is not cXML (its root is {_tag_name(self.root)!r})",
                "not_an_order_request",
            )
            raise self.refuse(None)
        envelope = self.read_envelope()
        request = self.root.find("Request")
        order_request = request.find("OrderRequest") if request is not None else None
        if order_request is None:
            self.problem(
                "cXML/Request",
                f"the document is a cXML {self.describe_kind()}, not an OrderRequest",
                "not_an_order_request",
            )
            raise self.refuse(envelope)
        header = order_request.find("OrderRequestHeader")
        if header is None:
            self.problem(
                "OrderRequestHeader", "is missing", "missing_order_request_header"
            )
            header = etree.Element("OrderRequestHeader")
        purchase_order = self.read_purchase_order(header, order_request)
        if self.problems:
            raise self.refuse(envelope)
        return CXMLOrderRequest(
            payload_id=envelope.payload_id,
            timestamp=envelope.timestamp,
            from_credentials=envelope.from_credentials,
            to_credentials=envelope.to_credentials,
            sender=envelope.sender,
            deployment_mode=envelope.deployment_mode,
            purchase_order=purchase_order,
            order_version=_attribute(header, "orderVersion"),
            document_reference=_attribute(
                header.find("DocumentReference"), "payloadID"
            ),
            contacts=tuple(
                CXMLContact(
                    role=_attribute(contact, "role"),
                    name=_text(contact.find("Name")),
                    email=_text(contact.find("Email")),
                )
                for contact in header.findall("Contact")
            ),
        )

    def describe_kind(self) -> str:
        request = self.root.find("Request")
        for container in (request, self.root):
            if container is None:
                continue
            for child in container:
                if child.tag not in ("Header", "Request"):
                    return _tag_name(child)
        return "document without a request"

    # ------------------------------------------------------------- envelope
    def read_envelope(self) -> CXMLEnvelope:
        payload_id = _attribute(self.root, "payloadID")
        if not payload_id:
            self.problem("cXML/@payloadID", "is missing", "missing_payload_id")
        header = self.root.find("Header")
        request = self.root.find("Request")
        deployment_mode = _attribute(request, "deploymentMode") or "production"
        if request is not None and deployment_mode not in DEPLOYMENT_MODES:
            self.problem(
                "Request/@deploymentMode",
                f"{deployment_mode!r} is neither 'production' nor 'test'",
                "unknown_deployment_mode",
            )
        sender = None
        sender_element = header.find("Sender") if header is not None else None
        credential = (
            sender_element.find("Credential") if sender_element is not None else None
        )
        if credential is not None and sender_element is not None:
            sender = SenderCredential(
                domain=_attribute(credential, "domain"),
                identity=_text(credential.find("Identity")),
                shared_secret=_text(credential.find("SharedSecret")),
                user_agent=_text(sender_element.find("UserAgent")),
            )
        return CXMLEnvelope(
            payload_id=payload_id,
            timestamp=_attribute(self.root, "timestamp"),
            from_credentials=_credentials(header, "From"),
            to_credentials=_credentials(header, "To"),
            sender=sender,
            deployment_mode=deployment_mode,
        )

    # ------------------------------------------------------------- the order
    def read_purchase_order(
        self, header: etree._Element, order_request: etree._Element
    ) -> PurchaseOrder:
        order_number = _attribute(header, "orderID")
        if not order_number:
            self.problem(
                "OrderRequestHeader/@orderID", "is missing", "missing_order_id"
            )
        kind_text = _attribute(header, "type") or OrderKind.NEW.value
        try:
            kind = OrderKind(kind_text)
        except ValueError:
            kind = OrderKind.NEW
            self.problem(
                "OrderRequestHeader/@type",
                f"{kind_text!r} is not one of new, update, delete",
                "unknown_type",
            )
        total, currency = self.read_money(
            header.find("Total/Money"), "OrderRequestHeader/Total/Money", None
        )
        lines = self.read_lines(order_request, currency)
        if currency is None:
            # No header total: the lines' currency (they were checked to agree).
            currency = next(
                (
                    _attribute(money, "currency")
                    for money in order_request.iterfind(
                        "ItemOut/ItemDetail/UnitPrice/Money"
                    )
                ),
                None,
            )
        return PurchaseOrder(
            order_number=order_number,
            lines=lines,
            currency=currency or "",
            kind=kind,
            order_date=self.read_date(header, "orderDate", "OrderRequestHeader"),
            transfer_id=self.common_transfer_id(lines),
            cost_centre=_common_value(line.cost_centre for line in lines),
            delivery_address=self.read_address(header.find("ShipTo/Address"), "ShipTo"),
            billing_address=self.read_address(header.find("BillTo/Address"), "BillTo"),
            requested_delivery_date=self.read_date(
                header, "requestedDeliveryDate", "OrderRequestHeader"
            ),
            note=_own_text(header.find("Comments")),
            total=total,
            extra=_extrinsics(header),
        )

    def read_money(
        self, money: etree._Element | None, where: str, line: str | None
    ) -> tuple[Decimal | None, str | None]:
        """(amount, currency) of a Money element; (None, None) when there is none."""
        if money is None:
            return None, None
        amount = _decimal(_text(money))
        if amount is None:
            code = "invalid_total" if line is None else "invalid_price"
            self.problem(where, f"{_text(money)!r} is not a decimal number", code, line)
        currency = _attribute(money, "currency")
        if not currency:
            self.problem(f"{where}/@currency", "is missing", "missing_currency", line)
            return amount, None
        if not _CURRENCY.fullmatch(currency):
            self.problem(
                f"{where}/@currency",
                f"{currency!r} is not an ISO 4217 currency code",
                "invalid_currency",
                line,
            )
            return amount, None
        return amount, currency

    def read_date(
        self,
        element: etree._Element,
        attribute: str,
        where: str,
        line: str | None = None,
    ) -> date | None:
        value = _attribute(element, attribute)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            self.problem(
                f"{where}/@{attribute}",
                f"{value!r} is not an ISO 8601 date",
                "invalid_date",
                line,
            )
            return None

    def read_address(
        self, address: etree._Element | None, where: str
    ) -> PostalAddress | None:
        if address is None:
            return None
        postal = address.find("PostalAddress")
        if postal is None:
            postal = etree.Element("PostalAddress")
        streets = [text for text in map(_text, postal.findall("Street")) if text]
        country = _attribute(postal.find("Country"), "isoCountryCode")
        if country and not _COUNTRY.fullmatch(country):
            self.problem(
                f"{where}/Address/PostalAddress/Country/@isoCountryCode",
                f"{country!r} is not an ISO 3166 alpha-2 country code",
                "invalid_country",
            )
            country = ""
        return PostalAddress(
            # Address/Name is the organisation or location; DeliverTo the person.
            name=", ".join(
                text for text in map(_text, postal.findall("DeliverTo")) if text
            ),
            company=_text(address.find("Name")),
            street=streets[0] if streets else "",
            street2=", ".join(streets[1:]),
            city=_text(postal.find("City")),
            postcode=_text(postal.find("PostalCode")),
            country=country.upper(),
            country_area=_text(postal.find("State")),
            phone=_telephone_number(address.find("Phone/TelephoneNumber")),
            email=_text(address.find("Email")),
            reference=_attribute(address, "addressID"),
        )

    # ------------------------------------------------------------- lines
    def read_lines(
        self, order_request: etree._Element, header_currency: str | None
    ) -> tuple[PurchaseOrderLine, ...]:
        items = order_request.findall("ItemOut")
        if not items:
            self.problem("ItemOut", "the order has no lines", "no_lines")
        lines: list[PurchaseOrderLine] = []
        seen_numbers: set[str] = set()
        reference_currency = header_currency
        for position, item in enumerate(items, start=1):
            line_number = _attribute(item, "lineNumber")
            label = line_number or None
            # Without a line number, say where the line is instead.
            where = "ItemOut" if line_number else f"ItemOut[{position}]"
            if not line_number:
                self.problem(
                    f"{where}/@lineNumber", "is missing", "missing_line_number"
                )
            elif line_number in seen_numbers:
                self.problem(
                    f"{where}/@lineNumber",
                    f"line number {line_number!r} is used more than once",
                    "duplicate_line_number",
                    label,
                )
            seen_numbers.add(line_number)

            quantity = self.read_quantity(item, where, label)
            sku = _text(item.find("ItemID/SupplierPartID"))
            if not sku:
                self.problem(
                    f"{where}/ItemID/SupplierPartID", "is missing", "missing_sku", label
                )
            detail = item.find("ItemDetail")
            if detail is None:
                detail = etree.Element("ItemDetail")
            unit_price, currency = self.read_money(
                detail.find("UnitPrice/Money"),
                f"{where}/ItemDetail/UnitPrice/Money",
                label,
            )
            if currency is not None:
                if reference_currency is None:
                    reference_currency = currency
                elif currency != reference_currency:
                    self.problem(
                        f"{where}/ItemDetail/UnitPrice/Money/@currency",
                        f"{currency} differs from the order's {reference_currency}",
                        "currency_mismatch",
                        label,
                    )
            lines.append(
                PurchaseOrderLine(
                    line_number=line_number,
                    sku=sku,
                    quantity=quantity,
                    unit=_text(detail.find("UnitOfMeasure")),
                    unit_price=unit_price,
                    description=_description(detail.find("Description")),
                    nzi_code=self.read_nzi_code(detail, where, label),
                    cost_centre=self.read_cost_centre(item, where, label),
                    requested_delivery_date=self.read_date(
                        item, "requestedDeliveryDate", where, label
                    ),
                    transfer_id=_text(item.find("ItemID/SupplierPartAuxiliaryID")),
                    note=_own_text(item.find("Comments")),
                )
            )
        return tuple(lines)

    def read_quantity(
        self, item: etree._Element, where: str, line: str | None
    ) -> Decimal:
        text = _attribute(item, "quantity")
        if not text:
            self.problem(f"{where}/@quantity", "is missing", "missing_quantity", line)
            return Decimal(0)
        quantity = _decimal(text)
        if quantity is None:
            self.problem(
                f"{where}/@quantity",
                f"{text!r} is not a decimal number",
                "invalid_quantity",
                line,
            )
            return Decimal(0)
        if quantity <= 0:
            self.problem(
                f"{where}/@quantity",
                f"{text} is not greater than zero",
                "not_positive",
                line,
            )
        return quantity

    def read_nzi_code(
        self, detail: etree._Element, where: str, line: str | None
    ) -> str:
        for classification in detail.findall("Classification"):
            if not _NZI_DOMAIN.search(_attribute(classification, "domain").lower()):
                continue
            code = _attribute(classification, "code") or _text(classification)
            if len(code) > NZI_CODE_MAX_LENGTH:
                self.problem(
                    f"{where}/ItemDetail/Classification",
                    f"the NZI code {code!r} is longer than "
                    f"{NZI_CODE_MAX_LENGTH} characters",
                    "invalid_nzi_code",
                    line,
                )
                return ""
            return code
        return ""

    def read_cost_centre(
        self, item: etree._Element, where: str, line: str | None
    ) -> str:
        cost_centres = [
            _cost_centre(accounting)
            for accounting in item.iterfind("Distribution/Accounting")
        ]
        distinct = sorted(set(cost_centres))
        if len(distinct) > 1:
            self.problem(
                f"{where}/Distribution",
                "the line is split over several cost centres "
                f"({', '.join(map(repr, distinct))}); one line books to one",
                "split_accounting",
                line,
            )
            return ""
        return distinct[0] if distinct else ""

    def common_transfer_id(self, lines: tuple[PurchaseOrderLine, ...]) -> str:
        """The transfer every line that names one names; "" when the lines name
        several (a PO merging the carts of several requisitions, as Ariba and
        Coupa send them: each line keeps its own, and is matched against it)."""
        transfer_ids = {line.transfer_id for line in lines if line.transfer_id}
        return transfer_ids.pop() if len(transfer_ids) == 1 else ""


# --------------------------------------------------------------------- helpers
def _tag_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def _attribute(element: etree._Element | None, name: str) -> str:
    if element is None:
        return ""
    return (element.get(name) or "").strip()


def _text(element: etree._Element | None) -> str:
    """All text inside ``element``, stripped; "" for no element."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _own_text(element: etree._Element | None) -> str:
    """The element's own text, without that of its children (Comments hold
    Attachment elements beside the text)."""
    if element is None:
        return ""
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts).strip()


def _description(element: etree._Element | None) -> str:
    """A Description's text; its ShortName when it has no text of its own."""
    return _own_text(element) or _text(
        element.find("ShortName") if element is not None else None
    )


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if _CXML_NUMBER.fullmatch(text) else None


def _common_value(values: Iterable[str]) -> str:
    """The one value all of ``values`` share, or "" when they differ or are empty."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else ""


def _credentials(
    header: etree._Element | None, party: str
) -> tuple[tuple[str, str], ...]:
    if header is None:
        return ()
    return tuple(
        (_attribute(credential, "domain"), _text(credential.find("Identity")))
        for credential in header.iterfind(f"{party}/Credential")
    )


def _extrinsics(header: etree._Element) -> dict[str, str]:
    """Header Extrinsic values by name; the first of a repeated name wins."""
    extra: dict[str, str] = {}
    for extrinsic in header.findall("Extrinsic"):
        name = _attribute(extrinsic, "name")
        if name and name not in extra:
            extra[name] = _text(extrinsic)
    return extra


def _telephone_number(number: etree._Element | None) -> str:
    """``+31 20 5551234 x12`` from a cXML TelephoneNumber's parts."""
    if number is None:
        return ""
    country_code = _text(number.find("CountryCode"))
    parts = [
        f"+{country_code.lstrip('+')}" if country_code else "",
        _text(number.find("AreaOrCityCode")),
        _text(number.find("Number")),
    ]
    extension = _text(number.find("Extension"))
    if extension:
        parts.append(f"x{extension}")
    return " ".join(part for part in parts if part)


def _segment_name(segment: etree._Element) -> str:
    # AccountingSegment names itself in a Name child; the older Segment in @type.
    name = _text(segment.find("Name")) or _attribute(segment, "type")
    return re.sub(r"[\s_-]", "", name).lower()


def _cost_centre(accounting: etree._Element) -> str:
    segments = accounting.findall("AccountingSegment") or accounting.findall("Segment")
    if not segments:
        return ""
    for segment in segments:
        if _segment_name(segment) in _COST_CENTRE_NAMES:
            return _attribute(segment, "id")
    return _attribute(segments[0], "id")


def _xml_safe(text: str) -> str:
    return _NOT_XML_CHARACTERS.sub("\ufffd", text)


def _comment_safe(text: str) -> str:
    # A comment cannot contain "--" (nor end with "-", which the caller's trailing
    # space prevents): a space goes between hyphens that follow each other.
    return re.sub("-(?=-)", "- ", _xml_safe(text))
