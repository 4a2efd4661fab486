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


def build_order_request(
    order: PurchaseOrder,
    *,
    identity: str,
    shared_secret: str,
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


def read_response(body: bytes) -> CXMLStatus:
    """The Status of a cXML Response; CXMLResponseError for anything else."""
    if len(body) > MAX_RESPONSE_BYTES:
        raise CXMLResponseError("the answer is larger than a cXML Response can be")
    # The answer carries the standard DOCTYPE: read past it, never load it.
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise CXMLResponseError(f"the answer is not XML: {error}") from error
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
