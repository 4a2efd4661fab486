"""cXML punch-out documents (no Django here): setup request in, setup response and
order message out.

cXML User's Guide 1.2.x, chapter "PunchOut": the procurement system posts a
``PunchOutSetupRequest`` (``@operation`` create, edit or inspect; ``BuyerCookie``;
``BrowserFormPost/URL``; the user in ``Extrinsic`` and ``Contact``; ``ShipTo``; for
edit and inspect the cart's ``ItemOut`` lines) and the shop answers with a
``PunchOutSetupResponse`` naming a ``StartPage/URL``. When the buyer is done, the
browser posts a ``PunchOutOrderMessage`` (``BuyerCookie``, a header with
``operationAllowed``, ``Total`` and ``Tax``, one ``ItemIn`` per line) to the
``BrowserFormPost`` URL in the form field ``cxml-urlencoded`` or ``cxml-base64``.

Every document written here declares and follows cXML **1.2.014**
(:data:`~saleor_oci_plugin.purchase_orders.cxml.CXML_VERSION`, the version the
OrderRequest side already answers in): element order and required attributes of that
DTD; the tests validate each written document against the DTD's declarations for
the elements used (tests/core/punchout/cxml-1.2.014-punchout.dtd). Reading goes
through :func:`saleor_oci_plugin.safe_xml.parse_xml` as for OrderRequest: only the
standard cXML DOCTYPE (no internal subset) is removed first, any other is refused.
"""

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from lxml import etree

from ..purchase_orders.cxml import (
    CXML_VERSION,
    RESPONSE_DOCTYPE,
    STATUS_OK,
    CXMLContact,
    CXMLEnvelope,
    _attribute,
    _extrinsics,
    _OrderRequestReader,
    _own_text,
    _text,
    _without_standard_doctype,
    _xml_safe,
    new_payload_id,
)
from ..purchase_orders.dataclasses import PostalAddress, Problem, PurchaseOrderError
from ..safe_xml import parse_xml

OPERATIONS: Final = ("create", "edit", "inspect")
FORM_FIELD_URLENCODED: Final = "cxml-urlencoded"
FORM_FIELD_BASE64: Final = "cxml-base64"
UNSPSC_DOMAIN: Final = "UNSPSC"
NZI_DOMAIN: Final = "NZI"
COST_CENTRE_ACCOUNTING: Final = "Cost Center"
# Extrinsic names that carry the user (cXML User's Guide, "PunchOutSetupRequest",
# and what Ariba and Coupa send).
EXTRINSIC_EMAIL: Final = ("UserEmail", "Email")
EXTRINSIC_USER_ID: Final = ("UniqueName", "UserId", "UserID")
EXTRINSIC_FIRST_NAME: Final = ("FirstName",)
EXTRINSIC_LAST_NAME: Final = ("LastName",)

_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


class CXMLSetupRequestError(PurchaseOrderError):
    """A PunchOutSetupRequest that is XML but not one the shop can answer;
    ``envelope`` as far as it could be read (None: not cXML at all)."""

    def __init__(
        self, problems: Sequence[Problem], envelope: CXMLEnvelope | None = None
    ) -> None:
        super().__init__(list(problems))
        self.envelope = envelope


@dataclass(frozen=True, slots=True)
class SetupItem:
    """An ``ItemOut`` of an edit or inspect: the cart line the buyer holds."""

    sku: str
    quantity: Decimal
    transfer_id: str = ""
    line_number: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupRequest:
    """A ``PunchOutSetupRequest`` with its envelope."""

    envelope: CXMLEnvelope
    operation: str
    buyer_cookie: str
    browser_form_post: str = ""
    extrinsics: dict[str, str] = field(default_factory=dict)
    contacts: tuple[CXMLContact, ...] = ()
    ship_to: PostalAddress | None = None
    items: tuple[SetupItem, ...] = ()

    def extrinsic(self, names: Sequence[str]) -> str:
        """The first non-empty extrinsic among ``names`` (case ignored)."""
        lowered = {key.lower(): value for key, value in self.extrinsics.items()}
        for name in names:
            value = lowered.get(name.lower(), "").strip()
            if value:
                return value
        return ""

    @property
    def user_email(self) -> str:
        """``UserEmail`` extrinsic, else the first Contact's e-mail."""
        return self.extrinsic(EXTRINSIC_EMAIL) or next(
            (contact.email for contact in self.contacts if contact.email), ""
        )

    @property
    def user_id(self) -> str:
        return self.extrinsic(EXTRINSIC_USER_ID)

    @property
    def first_name(self) -> str:
        return self.extrinsic(EXTRINSIC_FIRST_NAME)

    @property
    def last_name(self) -> str:
        return self.extrinsic(EXTRINSIC_LAST_NAME)


def read_setup_request(body: bytes) -> SetupRequest:
    """Read a ``PunchOutSetupRequest``.

    Raise :class:`~saleor_oci_plugin.safe_xml.UnsafeXMLError` for input that is not
    XML this plugin reads, :class:`CXMLSetupRequestError` listing every problem of
    a cXML document that is not an acceptable setup request.
    """
    root = parse_xml(_without_standard_doctype(body))
    reader = _OrderRequestReader(root)
    if root.tag != "cXML":
        raise CXMLSetupRequestError(
            [
                Problem(
                    "cXML",
                    "the document is not cXML (its root is "
                    f"{etree.QName(root).localname!r})",
                    "not_a_setup_request",
                )
            ]
        )
    envelope = reader.read_envelope()
    request = root.find("Request/PunchOutSetupRequest")
    if request is None:
        reader.problem(
            "cXML/Request",
            f"the document is a cXML {reader.describe_kind()}, not a "
            "PunchOutSetupRequest",
            "not_a_setup_request",
        )
        raise CXMLSetupRequestError(reader.problems, envelope)
    operation = _attribute(request, "operation")
    if operation not in OPERATIONS:
        reader.problem(
            "PunchOutSetupRequest/@operation",
            f"{operation!r} is not one of create, edit, inspect"
            if operation
            else "is missing",
            "unknown_operation",
        )
    buyer_cookie_element = request.find("BuyerCookie")
    if buyer_cookie_element is None:
        reader.problem("BuyerCookie", "is missing", "missing_buyer_cookie")
    url = _text(request.find("BrowserFormPost/URL"))
    if not url and operation in ("create", "edit"):
        reader.problem(
            "BrowserFormPost/URL",
            f"is missing; an {operation} needs somewhere to send the cart"
            if operation == "edit"
            else "is missing; a create needs somewhere to send the cart",
            "missing_browser_form_post",
        )
    contacts = tuple(
        CXMLContact(
            role=_attribute(contact, "role"),
            name=_text(contact.find("Name")),
            email=_text(contact.find("Email")),
        )
        for contact in request.findall("Contact")
    )
    ship_to = reader.read_address(request.find("ShipTo/Address"), "ShipTo")
    items = []
    for position, item in enumerate(request.findall("ItemOut"), start=1):
        where = f"ItemOut[{position}]"
        quantity = reader.read_quantity(item, where, None)
        sku = _text(item.find("ItemID/SupplierPartID"))
        if not sku:
            reader.problem(
                f"{where}/ItemID/SupplierPartID", "is missing", "missing_sku"
            )
        items.append(
            SetupItem(
                sku=sku,
                quantity=quantity,
                transfer_id=_text(item.find("ItemID/SupplierPartAuxiliaryID")),
                line_number=_attribute(item, "lineNumber"),
            )
        )
    if reader.problems:
        raise CXMLSetupRequestError(reader.problems, envelope)
    return SetupRequest(
        envelope=envelope,
        operation=operation,
        buyer_cookie=_text(buyer_cookie_element),
        browser_form_post=url,
        extrinsics=_extrinsics(request),
        contacts=contacts,
        ship_to=ship_to,
        items=tuple(items),
    )


# --------------------------------------------------------------------- writing
def build_setup_response(start_page_url: str, *, payload_id: str = "") -> bytes:
    """A ``Response`` with Status 200 and ``PunchOutSetupResponse/StartPage/URL``."""
    root = _cxml_root(payload_id)
    response = etree.SubElement(root, "Response")
    status = etree.SubElement(response, "Status", code=str(STATUS_OK), text="OK")
    status.text = "OK"
    setup = etree.SubElement(response, "PunchOutSetupResponse")
    start = etree.SubElement(setup, "StartPage")
    etree.SubElement(start, "URL").text = _xml_safe(start_page_url)
    return _serialise(root)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageLine:
    """One ``ItemIn`` of a PunchOutOrderMessage."""

    line_number: int
    quantity: Decimal
    sku: str
    transfer_id: str
    unit_price: Decimal
    currency: str
    description: str
    unit: str
    # (domain, code) pairs, e.g. ("UNSPSC", "10161600"), ("NZI", "4711"); the DTD
    # needs at least one.
    classifications: tuple[tuple[str, str], ...]
    manufacturer_part_id: str = ""
    manufacturer_name: str = ""
    lead_time_days: int | None = None
    tax: Decimal | None = None
    cost_centre: str = ""
    comments: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderMessage:
    """A ``PunchOutOrderMessage``: what the shop sends back, or reads back in tests."""

    buyer_cookie: str
    currency: str
    total: Decimal
    tax: Decimal | None = None
    operation_allowed: str = "edit"
    # Header credentials: (domain, identity) pairs; sender with its user agent.
    from_credentials: tuple[tuple[str, str], ...] = ()
    to_credentials: tuple[tuple[str, str], ...] = ()
    sender_credential: tuple[str, str] = ("NetworkID", "saleor-oci-plugin")
    user_agent: str = "saleor-oci-plugin"
    lines: tuple[MessageLine, ...] = ()
    payload_id: str = ""


def build_order_message(message: OrderMessage) -> bytes:
    """The PunchOutOrderMessage document (cXML 1.2.014, UTF-8, standard DOCTYPE).

    A cancelled punch-out is a message without lines (its Total is zero). No
    Shipping is written: orders from purchase orders carry none.
    """
    root = _cxml_root(message.payload_id)
    header = etree.SubElement(root, "Header")
    for party, credentials in (
        ("From", message.from_credentials or (message.sender_credential,)),
        ("To", message.to_credentials or (message.sender_credential,)),
    ):
        element = etree.SubElement(header, party)
        for domain, identity in credentials:
            _credential(element, domain, identity)
    sender = etree.SubElement(header, "Sender")
    _credential(sender, *message.sender_credential)
    etree.SubElement(sender, "UserAgent").text = _xml_safe(message.user_agent)
    body = etree.SubElement(etree.SubElement(root, "Message"), "PunchOutOrderMessage")
    etree.SubElement(body, "BuyerCookie").text = _xml_safe(message.buyer_cookie)
    head = etree.SubElement(
        body, "PunchOutOrderMessageHeader", operationAllowed=message.operation_allowed
    )
    _money(etree.SubElement(head, "Total"), message.total, message.currency)
    if message.tax is not None:
        _tax(head, message.tax, message.currency, "VAT")
    for line in message.lines:
        _item_in(body, line)
    return _serialise(root)


def _item_in(parent: etree._Element, line: MessageLine) -> None:
    item = etree.SubElement(
        parent,
        "ItemIn",
        quantity=_number(line.quantity),
        lineNumber=str(line.line_number),
    )
    item_id = etree.SubElement(item, "ItemID")
    etree.SubElement(item_id, "SupplierPartID").text = _xml_safe(line.sku)
    etree.SubElement(item_id, "SupplierPartAuxiliaryID").text = line.transfer_id
    detail = etree.SubElement(item, "ItemDetail")
    _money(etree.SubElement(detail, "UnitPrice"), line.unit_price, line.currency)
    description = etree.SubElement(detail, "Description")
    description.set(_XML_LANG, "en")
    description.text = _xml_safe(line.description)
    etree.SubElement(detail, "UnitOfMeasure").text = line.unit
    if not line.classifications:
        raise ValueError(
            f"line {line.line_number}: cXML needs at least one Classification"
        )
    for domain, code in line.classifications:
        classification = etree.SubElement(detail, "Classification", domain=domain)
        classification.text = _xml_safe(code)
    if line.manufacturer_part_id:
        etree.SubElement(detail, "ManufacturerPartID").text = _xml_safe(
            line.manufacturer_part_id
        )
    if line.manufacturer_name:
        name = etree.SubElement(detail, "ManufacturerName")
        name.text = _xml_safe(line.manufacturer_name)
    if line.lead_time_days is not None:
        etree.SubElement(detail, "LeadTime").text = str(line.lead_time_days)
    if line.tax is not None:
        _tax(item, line.tax, line.currency, "VAT")
    if line.cost_centre:
        distribution = etree.SubElement(item, "Distribution")
        accounting = etree.SubElement(
            distribution, "Accounting", name=COST_CENTRE_ACCOUNTING
        )
        segment = etree.SubElement(
            accounting, "AccountingSegment", id=_xml_safe(line.cost_centre)
        )
        name = etree.SubElement(segment, "Name")
        name.set(_XML_LANG, "en")
        name.text = COST_CENTRE_ACCOUNTING
        description = etree.SubElement(segment, "Description")
        description.set(_XML_LANG, "en")
        description.text = _xml_safe(line.cost_centre)
        _money(
            etree.SubElement(distribution, "Charge"),
            line.unit_price * line.quantity,
            line.currency,
        )
    if line.comments:
        comments = etree.SubElement(item, "Comments")
        comments.set(_XML_LANG, "en")
        comments.text = _xml_safe(line.comments)


def form_fields(document: bytes, field_choice: str) -> tuple[tuple[str, str], ...]:
    """The form fields that carry ``document``: ``cxml-urlencoded`` (the XML text;
    the browser url-encodes it), ``cxml-base64``, or both (``field_choice`` "both")."""
    fields = []
    if field_choice in (FORM_FIELD_URLENCODED, "both"):
        fields.append((FORM_FIELD_URLENCODED, document.decode("utf-8")))
    if field_choice in (FORM_FIELD_BASE64, "both"):
        fields.append((FORM_FIELD_BASE64, base64.b64encode(document).decode("ascii")))
    if not fields:
        raise ValueError(f"unknown cXML form field {field_choice!r}")
    return tuple(fields)


# --------------------------------------------------------------------- reading back
def read_order_message(body: bytes) -> OrderMessage:
    """Read a PunchOutOrderMessage (as the simulator and the tests receive it).

    Raise UnsafeXMLError for unreadable XML, ValueError for a cXML document that is
    not a PunchOutOrderMessage.
    """
    root = parse_xml(_without_standard_doctype(body))
    message = root.find("Message/PunchOutOrderMessage")
    if root.tag != "cXML" or message is None:
        raise ValueError("the document is not a cXML PunchOutOrderMessage")
    header = message.find("PunchOutOrderMessageHeader")
    total = header.find("Total/Money") if header is not None else None
    tax = header.find("Tax/Money") if header is not None else None
    sender = root.find("Header/Sender/Credential")
    return OrderMessage(
        buyer_cookie=_text(message.find("BuyerCookie")),
        currency=_attribute(total, "currency"),
        total=Decimal(_text(total) or "0"),
        tax=Decimal(_text(tax)) if tax is not None else None,
        operation_allowed=_attribute(header, "operationAllowed"),
        from_credentials=_pairs(root, "Header/From/Credential"),
        to_credentials=_pairs(root, "Header/To/Credential"),
        sender_credential=(
            _attribute(sender, "domain"),
            _text(sender.find("Identity") if sender is not None else None),
        ),
        user_agent=_text(root.find("Header/Sender/UserAgent")),
        lines=tuple(_read_item_in(item) for item in message.findall("ItemIn")),
        payload_id=_attribute(root, "payloadID"),
    )


def _read_item_in(item: etree._Element) -> MessageLine:
    detail = item.find("ItemDetail")
    price = item.find("ItemDetail/UnitPrice/Money")
    tax = item.find("Tax/Money")
    lead_time = _text(item.find("ItemDetail/LeadTime"))
    return MessageLine(
        line_number=int(_attribute(item, "lineNumber") or 0),
        quantity=Decimal(_attribute(item, "quantity")),
        sku=_text(item.find("ItemID/SupplierPartID")),
        transfer_id=_text(item.find("ItemID/SupplierPartAuxiliaryID")),
        unit_price=Decimal(_text(price)),
        currency=_attribute(price, "currency"),
        description=_own_text(item.find("ItemDetail/Description")),
        unit=_text(item.find("ItemDetail/UnitOfMeasure")),
        classifications=tuple(
            (_attribute(element, "domain"), _text(element))
            for element in (
                detail.findall("Classification") if detail is not None else ()
            )
        ),
        manufacturer_part_id=_text(item.find("ItemDetail/ManufacturerPartID")),
        manufacturer_name=_text(item.find("ItemDetail/ManufacturerName")),
        lead_time_days=int(lead_time) if lead_time else None,
        tax=Decimal(_text(tax)) if tax is not None else None,
        cost_centre=_attribute(
            item.find("Distribution/Accounting/AccountingSegment"), "id"
        ),
        comments=_own_text(item.find("Comments")),
    )


# --------------------------------------------------------------------- helpers
def _cxml_root(payload_id: str) -> etree._Element:
    root = etree.Element("cXML")
    root.set("payloadID", _xml_safe(payload_id.strip() or new_payload_id()))
    root.set("timestamp", datetime.now(UTC).isoformat(timespec="seconds"))
    root.set("version", CXML_VERSION)
    root.set(_XML_LANG, "en")
    return root


def _serialise(root: etree._Element) -> bytes:
    return _XML_DECLARATION + etree.tostring(
        root, xml_declaration=False, encoding="UTF-8", doctype=RESPONSE_DOCTYPE
    )


def _credential(parent: etree._Element, domain: str, identity: str) -> None:
    credential = etree.SubElement(parent, "Credential", domain=_xml_safe(domain))
    etree.SubElement(credential, "Identity").text = _xml_safe(identity)


def _money(parent: etree._Element, amount: Decimal, currency: str) -> None:
    etree.SubElement(parent, "Money", currency=currency).text = _amount(amount)


def _tax(parent: etree._Element, amount: Decimal, currency: str, text: str) -> None:
    tax = etree.SubElement(parent, "Tax")
    _money(tax, amount, currency)
    description = etree.SubElement(tax, "Description")
    description.set(_XML_LANG, "en")
    description.text = text


def _number(value: Decimal) -> str:
    """A cXML number (a quantity): ``.`` as separator, no exponent, whole numbers
    without decimals (``3``)."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def _amount(value: Decimal) -> str:
    """Money: at least two decimals (``12.50``, ``100.00``), more only when the
    amount has them (a unit price of ``0.0125``)."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value.quantize(Decimal('0.01')):f}"
    return f"{value.normalize():f}"


def _pairs(root: etree._Element, path: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_attribute(credential, "domain"), _text(credential.find("Identity")))
        for credential in root.iterfind(path)
    )
