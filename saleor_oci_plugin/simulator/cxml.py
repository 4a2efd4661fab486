"""cXML as the simulated procurement system writes and reads it.

:func:`build_order_request` writes an approved purchase order as a cXML 1.2
``OrderRequest`` in the shape SAP Ariba sends (cXML User's Guide 1.2.x, "Purchase
Orders"): NetworkID credentials, the shared secret in ``Header/Sender``, one
``ItemOut`` per line with the cart's transfer id in
``ItemID/SupplierPartAuxiliaryID``, the NZI code as ``Classification domain="NZI"``
and the cost centre as the ``AccountingSegment`` named "Cost Center".
:func:`read_response` reads the shop's cXML ``Response``.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from .requisitions import PurchaseOrder, plain_number

CXML_VERSION = "1.2.014"
DOCTYPE = (
    f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
)
NETWORK_ID = "NetworkID"
USER_AGENT = "saleor-oci-plugin procurement simulator"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGE = "nl-NL"
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
MAX_RESPONSE_BYTES = 1024 * 1024
_NOT_XML_CHARACTERS = re.compile(
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True, slots=True)
class CXMLStatus:
    """``Response/Status`` of a cXML answer: ``code`` 200 is success."""

    code: int
    text: str
    message: str


class CXMLResponseError(ValueError):
    """The shop's answer is not a cXML Response with a Status."""


# The simulated buyer's bill-to address: cXML 1.2.014 requires a BillTo on every
# OrderRequest.
BILL_TO = {
    "company": "Ziekenhuis Oost",
    "name": "Crediteurenadministratie",
    "street": "Postbus 85500",
    "city": "Utrecht",
    "postcode": "3508 GA",
    "country": "NL",
    "country_name": "Nederland",
}


def build_order_request(
    order: PurchaseOrder,
    *,
    identity: str,
    shared_secret: str,
    bill_to: dict[str, str] | None = None,
    supplier_identity: str = "saleor-shop",
    payload_id: str | None = None,
    timestamp: datetime | None = None,
) -> bytes:
    """The cXML OrderRequest document for ``order``, UTF-8 encoded."""
    moment = timestamp or datetime.now(UTC)
    root = etree.Element("cXML")
    root.set(
        "payloadID",
        payload_id or f"{moment:%Y%m%d%H%M%S}.{secrets.token_hex(6)}@oci-simulator",
    )
    root.set("timestamp", moment.isoformat(timespec="seconds"))
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, LANGUAGE)

    header = etree.SubElement(root, "Header")
    _credential(etree.SubElement(header, "From"), identity)
    _credential(etree.SubElement(header, "To"), supplier_identity)
    sender = etree.SubElement(header, "Sender")
    credential = _credential(sender, identity)
    _text(credential, "SharedSecret", shared_secret)
    etree.SubElement(sender, "UserAgent").text = USER_AGENT

    request = etree.SubElement(root, "Request", deploymentMode="production")
    order_request = etree.SubElement(request, "OrderRequest")
    order_header = etree.SubElement(
        order_request,
        "OrderRequestHeader",
        orderID=order.order_number,
        orderDate=f"{order.order_date.isoformat()}T00:00:00+00:00",
        type="new",
    )
    if order.currency:
        _money(etree.SubElement(order_header, "Total"), order.total, order.currency)
    _bill_to(order_header, bill_to or BILL_TO)

    for line in order.lines:
        item_out = etree.SubElement(
            order_request,
            "ItemOut",
            quantity=plain_number(line.quantity),
            lineNumber=line.line_number,
        )
        item_id = etree.SubElement(item_out, "ItemID")
        _text(item_id, "SupplierPartID", line.sku)
        if order.transfer_id:
            _text(item_id, "SupplierPartAuxiliaryID", order.transfer_id)
        detail = etree.SubElement(item_out, "ItemDetail")
        if line.unit_price is not None and order.currency:
            _money(
                etree.SubElement(detail, "UnitPrice"), line.unit_price, order.currency
            )
        _text(detail, "Description", line.description).set(XML_LANG, LANGUAGE)
        if line.unit:
            _text(detail, "UnitOfMeasure", line.unit)
        if line.nzi_code:
            _text(detail, "Classification", line.nzi_code).set("domain", "NZI")
        if line.cost_centre:
            _distribution(item_out, line.cost_centre, order.currency)

    return _XML_DECLARATION + etree.tostring(
        root,
        encoding="UTF-8",
        xml_declaration=False,
        doctype=DOCTYPE,
        pretty_print=True,
    )


def _parse(body: bytes, limit: int, what: str) -> etree._Element:
    """The shop's cXML document; it carries the standard DOCTYPE, read past and
    never loaded. CXMLResponseError when too large or not XML."""
    if len(body) > limit:
        raise CXMLResponseError(f"the {what} is larger than the simulator reads")
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise CXMLResponseError(f"the {what} is not XML: {error}") from error


def read_response(body: bytes) -> CXMLStatus:
    """The Status of a cXML Response; CXMLResponseError for anything else."""
    root = _parse(body, MAX_RESPONSE_BYTES, "answer")
    status = root.find("Response/Status") if root is not None else None
    if root is None or root.tag != "cXML" or status is None:
        raise CXMLResponseError("the answer is not a cXML Response with a Status")
    code_text = (status.get("code") or "").strip()
    if not code_text.isdigit():
        raise CXMLResponseError(f"the Status code {code_text!r} is not a number")
    return CXMLStatus(
        code=int(code_text),
        text=(status.get("text") or "").strip(),
        message="".join(status.itertext()).strip(),
    )


def _credential(parent: etree._Element, identity: str) -> etree._Element:
    credential = etree.SubElement(parent, "Credential", domain=NETWORK_ID)
    _text(credential, "Identity", identity)
    return credential


def _money(parent: etree._Element, amount: Decimal, currency: str) -> None:
    etree.SubElement(parent, "Money", currency=_clean(currency)).text = plain_number(
        amount
    )


def _text(parent: etree._Element, tag: str, value: str) -> etree._Element:
    """A child with text; characters XML 1.0 cannot carry become U+FFFD."""
    child = etree.SubElement(parent, tag)
    child.text = _clean(value)
    return child


def _clean(value: str) -> str:
    return _NOT_XML_CHARACTERS.sub("\ufffd", value)


def _distribution(item_out: etree._Element, cost_centre: str, currency: str) -> None:
    distribution = etree.SubElement(item_out, "Distribution")
    accounting = etree.SubElement(distribution, "Accounting", name="Cost Center")
    segment = etree.SubElement(accounting, "AccountingSegment", id=_clean(cost_centre))
    _text(segment, "Name", "Cost Center").set(XML_LANG, "en")
    _text(segment, "Description", cost_centre).set(XML_LANG, "en")
    if currency:  # the Charge the DTD asks for: nothing is charged here
        _money(etree.SubElement(distribution, "Charge"), Decimal(0), currency)


# ------------------------------------------------------------------ punch-out
@dataclass(frozen=True, slots=True)
class SetupUser:
    """The person the simulated procurement system punches out for."""

    email: str = ""
    unique_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True, slots=True)
class SetupLine:
    """An ``ItemOut`` of an edit or inspect setup request."""

    sku: str
    quantity: Decimal
    transfer_id: str = ""


def build_punchout_setup_request(
    *,
    identity: str,
    shared_secret: str,
    buyer_cookie: str,
    browser_form_post: str,
    operation: str = "create",
    user: SetupUser | None = None,
    ship_to: dict[str, str] | None = None,
    lines: tuple[SetupLine, ...] = (),
    supplier_identity: str = "saleor-shop",
    domain: str = NETWORK_ID,
) -> bytes:
    """A cXML 1.2.014 ``PunchOutSetupRequest`` as Ariba and Coupa send it: the
    user in Extrinsics (UserEmail, UniqueName, FirstName, LastName) and a Contact,
    ``ShipTo``, and for edit and inspect the cart's ``ItemOut`` lines."""
    moment = datetime.now(UTC)
    root = etree.Element("cXML")
    root.set("payloadID", f"{moment:%Y%m%d%H%M%S}.{secrets.token_hex(6)}@oci-simulator")
    root.set("timestamp", moment.isoformat(timespec="seconds"))
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, LANGUAGE)
    header = etree.SubElement(root, "Header")
    _credential(etree.SubElement(header, "From"), identity).set("domain", domain)
    _credential(etree.SubElement(header, "To"), supplier_identity)
    sender = etree.SubElement(header, "Sender")
    credential = _credential(sender, identity)
    credential.set("domain", domain)
    _text(credential, "SharedSecret", shared_secret)
    etree.SubElement(sender, "UserAgent").text = USER_AGENT
    request = etree.SubElement(root, "Request", deploymentMode="production")
    setup = etree.SubElement(request, "PunchOutSetupRequest", operation=operation)
    _text(setup, "BuyerCookie", buyer_cookie)
    user = user or SetupUser()
    for name, value in (
        ("UserEmail", user.email),
        ("UniqueName", user.unique_name),
        ("FirstName", user.first_name),
        ("LastName", user.last_name),
    ):
        if value:
            _text(setup, "Extrinsic", value).set("name", name)
    if browser_form_post:
        _text(etree.SubElement(setup, "BrowserFormPost"), "URL", browser_form_post)
    if user.email:
        contact = etree.SubElement(setup, "Contact", role="endUser")
        full_name = f"{user.first_name} {user.last_name}".strip() or user.email
        _text(contact, "Name", full_name).set(XML_LANG, LANGUAGE)
        _text(contact, "Email", user.email)
    if ship_to:
        address = etree.SubElement(etree.SubElement(setup, "ShipTo"), "Address")
        _text(address, "Name", ship_to.get("company", "")).set(XML_LANG, LANGUAGE)
        postal = etree.SubElement(address, "PostalAddress")
        if ship_to.get("name"):
            _text(postal, "DeliverTo", ship_to["name"])
        _text(postal, "Street", ship_to.get("street", ""))
        _text(postal, "City", ship_to.get("city", ""))
        _text(postal, "PostalCode", ship_to.get("postcode", ""))
        _text(postal, "Country", ship_to.get("country_name", "")).set(
            "isoCountryCode", ship_to.get("country", "")
        )
    for number, line in enumerate(lines, start=1):
        item = etree.SubElement(
            setup,
            "ItemOut",
            quantity=plain_number(line.quantity),
            lineNumber=str(number),
        )
        item_id = etree.SubElement(item, "ItemID")
        _text(item_id, "SupplierPartID", line.sku)
        if line.transfer_id:
            _text(item_id, "SupplierPartAuxiliaryID", line.transfer_id)
    return _XML_DECLARATION + etree.tostring(
        root,
        encoding="UTF-8",
        xml_declaration=False,
        doctype=DOCTYPE,
        pretty_print=True,
    )


def read_setup_response(body: bytes) -> tuple[CXMLStatus, str]:
    """The Status of the shop's answer and, on success, its StartPage URL."""
    status = read_response(body)
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    root = etree.fromstring(body, parser)
    url = root.findtext("Response/PunchOutSetupResponse/StartPage/URL") or ""
    return status, url.strip()


def build_order_request_from_messages(
    messages: tuple["CartMessage", ...],
    *,
    order_number: str,
    identity: str,
    shared_secret: str,
    bill_to: dict[str, str],
    supplier_identity: str = "saleor-shop",
    order_date: datetime | None = None,
) -> bytes:
    """The ``OrderRequest`` an approved requisition becomes, as Ariba and Coupa
    send it: one ``ItemOut`` per ``ItemIn`` of the punch-out carts (several carts
    for one supplier merged into one PO), each echoing its cart's
    ``SupplierPartAuxiliaryID``, price, unit, classifications and cost centre.
    cXML 1.2.014: ``BillTo`` and a ``Total`` in the header, an ``ItemDetail`` per
    line, as that DTD requires."""
    moment = order_date or datetime.now(UTC)
    root = etree.Element("cXML")
    root.set("payloadID", f"{moment:%Y%m%d%H%M%S}.{secrets.token_hex(6)}@oci-simulator")
    root.set("timestamp", moment.isoformat(timespec="seconds"))
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, LANGUAGE)
    header = etree.SubElement(root, "Header")
    _credential(etree.SubElement(header, "From"), identity)
    _credential(etree.SubElement(header, "To"), supplier_identity)
    sender = etree.SubElement(header, "Sender")
    _text(_credential(sender, identity), "SharedSecret", shared_secret)
    etree.SubElement(sender, "UserAgent").text = USER_AGENT
    request = etree.SubElement(root, "Request", deploymentMode="production")
    order_request = etree.SubElement(request, "OrderRequest")
    order_header = etree.SubElement(
        order_request,
        "OrderRequestHeader",
        orderID=order_number,
        orderDate=moment.isoformat(timespec="seconds"),
        type="new",
    )
    lines = [line for message in messages for line in message.lines]
    currency = messages[0].currency if messages else "EUR"
    _money(
        etree.SubElement(order_header, "Total"),
        sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        currency,
    )
    _bill_to(order_header, bill_to)
    for number, line in enumerate(lines, start=1):
        item_out = etree.SubElement(
            order_request,
            "ItemOut",
            quantity=plain_number(line.quantity),
            lineNumber=str(number),
        )
        item_id = etree.SubElement(item_out, "ItemID")
        _text(item_id, "SupplierPartID", line.sku)
        _text(item_id, "SupplierPartAuxiliaryID", line.transfer_id)
        detail = etree.SubElement(item_out, "ItemDetail")
        _money(etree.SubElement(detail, "UnitPrice"), line.unit_price, line.currency)
        _text(detail, "Description", line.description).set(XML_LANG, LANGUAGE)
        _text(detail, "UnitOfMeasure", line.unit)
        for domain, code in line.classifications:
            _text(detail, "Classification", code).set("domain", domain)
        if line.cost_centre:
            _distribution(item_out, line.cost_centre, line.currency)
    return _XML_DECLARATION + etree.tostring(
        root,
        encoding="UTF-8",
        xml_declaration=False,
        doctype=DOCTYPE,
        pretty_print=True,
    )


@dataclass(frozen=True, slots=True)
class CartLine:
    """An ``ItemIn`` of a PunchOutOrderMessage, as the procurement system keeps it."""

    line_number: str
    quantity: Decimal
    sku: str
    transfer_id: str
    unit_price: Decimal
    currency: str
    description: str
    unit: str
    classifications: tuple[tuple[str, str], ...]
    cost_centre: str = ""
    comments: str = ""


@dataclass(frozen=True, slots=True)
class CartMessage:
    """A PunchOutOrderMessage the shop's form posted back."""

    buyer_cookie: str
    currency: str
    total: Decimal
    tax: Decimal | None
    operation_allowed: str
    lines: tuple[CartLine, ...]


def read_order_message(body: bytes) -> CartMessage:
    """Read the shop's PunchOutOrderMessage (the standard DOCTYPE is read past,
    never loaded); CXMLResponseError for anything else."""
    root = _parse(body, MAX_RESPONSE_BYTES * 8, "message")
    message = root.find("Message/PunchOutOrderMessage") if root is not None else None
    if root is None or root.tag != "cXML" or message is None:
        raise CXMLResponseError("the document is not a cXML PunchOutOrderMessage")
    try:
        total = message.find("PunchOutOrderMessageHeader/Total/Money")
        tax = message.findtext("PunchOutOrderMessageHeader/Tax/Money")
        return CartMessage(
            buyer_cookie=(message.findtext("BuyerCookie") or "").strip(),
            currency=total.get("currency", "") if total is not None else "",
            total=Decimal((total.text or "0").strip())
            if total is not None
            else Decimal(0),
            tax=Decimal(tax.strip()) if tax else None,
            operation_allowed=message.find("PunchOutOrderMessageHeader").get(
                "operationAllowed", ""
            ),
            lines=tuple(_cart_line(item) for item in message.iterfind("ItemIn")),
        )
    except (ArithmeticError, AttributeError, ValueError) as error:
        raise CXMLResponseError(f"the message cannot be read: {error}") from error


def _cart_line(item: etree._Element) -> CartLine:
    price = item.find("ItemDetail/UnitPrice/Money")
    return CartLine(
        line_number=item.get("lineNumber", ""),
        quantity=Decimal(item.get("quantity", "")),
        sku=(item.findtext("ItemID/SupplierPartID") or "").strip(),
        transfer_id=(item.findtext("ItemID/SupplierPartAuxiliaryID") or "").strip(),
        unit_price=Decimal((price.text or "").strip()),
        currency=price.get("currency", ""),
        description=(item.findtext("ItemDetail/Description") or "").strip(),
        unit=(item.findtext("ItemDetail/UnitOfMeasure") or "").strip(),
        classifications=tuple(
            (element.get("domain", ""), (element.text or "").strip())
            for element in item.iterfind("ItemDetail/Classification")
        ),
        cost_centre=(
            item.find("Distribution/Accounting/AccountingSegment").get("id", "")
            if item.find("Distribution/Accounting/AccountingSegment") is not None
            else ""
        ),
        comments=(item.findtext("Comments") or "").strip(),
    )


def _bill_to(order_header: etree._Element, bill_to: dict[str, str]) -> None:
    address = etree.SubElement(etree.SubElement(order_header, "BillTo"), "Address")
    _text(address, "Name", bill_to.get("company", "")).set(XML_LANG, LANGUAGE)
    postal = etree.SubElement(address, "PostalAddress")
    if bill_to.get("name"):
        _text(postal, "DeliverTo", bill_to["name"])
    _text(postal, "Street", bill_to.get("street", ""))
    _text(postal, "City", bill_to.get("city", ""))
    _text(postal, "PostalCode", bill_to.get("postcode", ""))
    _text(postal, "Country", bill_to.get("country_name", "")).set(
        "isoCountryCode", bill_to.get("country", "")
    )
