"""Peppol BIS Order 3 (UBL 2.1 ``Order``) in, Peppol Order Response out (no Django).

An ERP or a Peppol access point POSTs an approved purchase order as a UBL 2.1
``Order`` following Peppol BIS Ordering 3 / Order only 3 (transaction T01).
:func:`read_order` reads it into the internal
:class:`~saleor_oci_plugin.purchase_orders.dataclasses.PurchaseOrder`;
:func:`build_order_response` writes the Peppol Order Response (T76) that accepts
(``AP``) or rejects (``RE``) it as a whole.

Mapping (paths relative to the ``Order`` root):

==========================================================  =========================
``cbc:ID``                                                  ``order_number``
``cbc:IssueDate``                                           ``order_date``
``cbc:DocumentCurrencyCode``                                ``currency``
``cbc:CustomerReference``                                   ``buyer_reference``
``cbc:AccountingCost``                                      ``cost_centre``
``cbc:Note``                                                ``note``
``cac:QuotationDocumentReference/cbc:ID``                   ``transfer_id``
``cac:BuyerCustomerParty/cac:Party/cbc:EndpointID``         ``buyer_endpoint``
``cac:Delivery`` (location address, party, contact)         ``delivery_address``
``cac:Delivery/cac:RequestedDeliveryPeriod``                ``requested_delivery_date``
``cac:AccountingCustomerParty`` (else the buyer, see below) ``billing_address``
``cac:AnticipatedMonetaryTotal/cbc:PayableAmount``          ``total``
``cac:OrderLine/cac:LineItem``                              ``lines``
==========================================================  =========================

Per line: ``cbc:ID`` -> ``line_number``; ``cbc:Quantity`` and its ``@unitCode`` ->
``quantity``, ``unit``; ``cac:Price/cbc:PriceAmount`` divided by
``cac:Price/cbc:BaseQuantity`` (when given) -> ``unit_price``; ``cac:Item/cbc:Name``
(else ``cbc:Description``) -> ``description``;
``cac:Item/cac:SellersItemIdentification/cbc:ID`` -> ``sku``; ``cbc:AccountingCost``
-> ``cost_centre``; ``cac:Delivery/cac:RequestedDeliveryPeriod`` ->
``requested_delivery_date``; ``cac:OrderLine/cbc:Note`` -> ``note``.

Reading rules (the ones a reader of the specification could decide either way):

* The root must be ``Order`` in the UBL Order-2 namespace. Anything else (an
  ``OrderChange``, an ``OrderCancellation``, an ``Invoice``, cXML) is refused as
  ``not_an_order``: changes and cancellations are out of scope, so every order read
  here is ``OrderKind.NEW``.
* ``cbc:CustomizationID`` and ``cbc:ProfileID`` are kept in ``extra``
  (``customization_id``, ``profile_id``) and are not required. They refuse a
  document only when they clearly say it is something else: a Peppol transaction id
  (``urn:fdc:peppol.eu:poacc:trns:<name>:...``) whose name is not ``order``
  (``not_an_order``), or a Peppol BIS profile (``urn:fdc:peppol.eu:poacc:bis:<name>``)
  that has no order in it (``unsupported_profile``; ``order_only``, ``ordering`` and
  ``advanced_ordering`` do). National extensions of the order transaction (EHF's
  ``urn:fdc:peppol.eu:poacc:trns:order:3:extended:...``), their own profiles and
  non-Peppol UBL orders are read.
* Billing address: ``cac:AccountingCustomerParty`` is the invoicee, and Peppol lets
  the buyer leave it out when the buyer is invoiced itself. So the billing address
  is the accounting customer's party when it carries a ``cac:PostalAddress``, else
  the buyer's party when that does, else None. Its ``company`` is the party's legal
  name (``cac:PartyLegalEntity/cbc:RegistrationName``, what an invoice names), else
  its ``cac:PartyName/cbc:Name``; ``name``, ``phone`` and ``email`` come from its
  ``cac:Contact``.
* Delivery address: the address is ``cac:DeliveryLocation/cac:Address``, else
  ``cac:DeliveryParty/cac:PostalAddress``; ``company`` is
  ``cac:DeliveryParty/cac:PartyName/cbc:Name`` (else ``cac:DeliveryLocation/cbc:Name``);
  ``name``, ``phone``, ``email`` come from the delivery party's ``cac:Contact``;
  ``reference`` is ``cac:DeliveryLocation/cbc:ID`` (a GLN in Peppol; else
  ``cac:Delivery/cbc:ID``). More than one ``cac:Delivery`` (on the order, or on a
  line) is refused: one order ships to one place here.
* In an address, ``street`` is ``cbc:StreetName`` (with ``cbc:BuildingNumber`` when
  a sender uses it), ``street2`` is ``cbc:AdditionalStreetName`` and every
  ``cac:AddressLine/cbc:Line`` joined by ", ", ``country_area`` is
  ``cbc:CountrySubentity``.
* A requested delivery date is the period's ``cbc:StartDate``, else its
  ``cbc:EndDate`` (the end date of a header period is also kept in ``extra`` as
  ``requested_delivery_end_date``). Dates keep the calendar date as written; a time
  zone suffix is accepted and ignored.
* NZI code: the ``cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode``
  whose ``@listID`` names NZI as a word ("NZI", "nzi", "NZI-2024"; any case), or
  whose ``@listID`` is ``ZZZ`` ("mutually defined", UNTDID 7143) and whose ``@name``
  or ``@listName`` names NZI as a word. A bare ``ZZZ`` is not taken: it can be any
  agreed list. Two different NZI codes on one line are refused; a code longer than
  :data:`NZI_CODE_MAX_LENGTH` too (as the cXML reader does).
* Unit price: ``cbc:PriceAmount`` is the net price of ``cbc:BaseQuantity`` units
  (default 1), so the unit price is their quotient, unrounded; a base quantity in a
  different unit than the ordered quantity is refused. A line without ``cac:Price``
  has no unit price (None); a price may be zero, not negative.
* Every amount (every ``cbc:*Amount``, wherever it is) must carry ``@currencyID``
  equal to ``cbc:DocumentCurrencyCode`` (PEPPOL-T01-R003); ``cbc:IssueDate``,
  ``cbc:DocumentCurrencyCode``, a line's ``cbc:Quantity/@unitCode`` and its seller
  item id are required. Peppol makes them mandatory too.
* Values without a field of their own are kept in ``extra`` for the record:
  ``order_type_code``, ``sales_order_id``, ``issue_time``, ``validity_end_date``,
  ``contract_id``, ``project_id``, ``originator_document_id``, ``catalogue_id``,
  ``buyer_party_id`` and ``seller_endpoint`` (as ``scheme:id``), ``buyer_name``,
  ``seller_name``, ``payment_terms``, and the net totals ``line_extension_amount``
  and ``tax_exclusive_amount`` (``total`` is the payable amount, VAT included).

Every problem found is collected and raised together as
:class:`~saleor_oci_plugin.purchase_orders.dataclasses.PurchaseOrderError`; a problem
on a line names the line's ``cbc:ID`` (or, when it has none, its position in the
problem's ``field``). Parsing goes through :func:`saleor_oci_plugin.safe_xml.parse_xml`,
which raises ``UnsafeXMLError`` for a DOCTYPE, malformed or oversized input.
"""

import re
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from enum import StrEnum
from typing import Final

from lxml import etree

from ..safe_xml import DEFAULT_MAX_BYTES, parse_xml
from .dataclasses import (
    OrderKind,
    PostalAddress,
    Problem,
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)

ORDER_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
ORDER_RESPONSE_NS: Final = (
    "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
)
CAC_NS: Final = (
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
)
CBC_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

PEPPOL_ORDER_CUSTOMIZATION_ID: Final = "urn:fdc:peppol.eu:poacc:trns:order:3"
PEPPOL_ORDER_RESPONSE_CUSTOMIZATION_ID: Final = (
    "urn:fdc:peppol.eu:poacc:trns:order_response:3"
)
PEPPOL_ORDERING_PROFILE_ID: Final = "urn:fdc:peppol.eu:poacc:bis:ordering:3"

# Same limit as the cXML reader: the code travels in OCI's MATGROUP (10 characters).
NZI_CODE_MAX_LENGTH: Final = 10

_ORDER_TAG: Final = f"{{{ORDER_NS}}}Order"
_NS: Final = {"cac": CAC_NS, "cbc": CBC_NS}
_PEPPOL_TRANSACTION_PREFIX: Final = "urn:fdc:peppol.eu:poacc:trns:"
_PEPPOL_PROFILE_PREFIX: Final = "urn:fdc:peppol.eu:poacc:bis:"
# The Peppol BIS profiles with an Order (T01) in them.
_ORDER_PROFILE_NAMES: Final = frozenset({"order_only", "ordering", "advanced_ordering"})
_NOT_ORDER_DOCUMENTS: Final = {
    "OrderChange": "an order change; changes are not accepted here",
    "OrderCancellation": "an order cancellation; cancellations are not accepted here",
    "OrderResponse": "an order response, which the seller sends, not the buyer",
}

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# xsd:date: the calendar date, then an optional time zone.
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_NZI_WORD = re.compile(r"(?<![a-z])nzi(?![a-z])")
_MUTUALLY_DEFINED = "ZZZ"

# Problem codes, shared with the cXML reader where the problem is the same.
NOT_AN_ORDER: Final = "not_an_order"
UNSUPPORTED_PROFILE: Final = "unsupported_profile"
MISSING_ORDER_ID: Final = "missing_order_id"
MISSING_ISSUE_DATE: Final = "missing_issue_date"
INVALID_DATE: Final = "invalid_date"
MISSING_CURRENCY: Final = "missing_currency"
INVALID_CURRENCY: Final = "invalid_currency"
CURRENCY_MISMATCH: Final = "currency_mismatch"
INVALID_TOTAL: Final = "invalid_total"
INVALID_AMOUNT: Final = "invalid_amount"
INVALID_COUNTRY: Final = "invalid_country"
MULTIPLE_DELIVERIES: Final = "multiple_deliveries"
NO_LINES: Final = "no_lines"
MISSING_LINE_ITEM: Final = "missing_line_item"
MISSING_LINE_NUMBER: Final = "missing_line_number"
DUPLICATE_LINE_NUMBER: Final = "duplicate_line_number"
MISSING_QUANTITY: Final = "missing_quantity"
INVALID_QUANTITY: Final = "invalid_quantity"
NOT_POSITIVE: Final = "not_positive"
MISSING_UNIT: Final = "missing_unit"
INVALID_PRICE: Final = "invalid_price"
INVALID_BASE_QUANTITY: Final = "invalid_base_quantity"
UNIT_MISMATCH: Final = "unit_mismatch"
MISSING_SKU: Final = "missing_sku"
INVALID_NZI_CODE: Final = "invalid_nzi_code"
AMBIGUOUS_NZI_CODE: Final = "ambiguous_nzi_code"


def read_order(body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PurchaseOrder:
    """Read a Peppol BIS Order 3 (UBL 2.1 ``Order``) document.

    Raises ``UnsafeXMLError`` for input that is not safe, well-formed XML, and
    ``PurchaseOrderError`` listing every problem for an order that cannot be taken.
    """
    return _OrderReader(parse_xml(body, max_bytes=max_bytes)).read()


class _OrderReader:
    """Reads one parsed document, collecting every problem before deciding."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def problem(
        self, field: str, message: str, code: str, line: str | None = None
    ) -> None:
        self.problems.append(Problem(field, message, code, line))

    def read(self) -> PurchaseOrder:
        if self.root.tag != _ORDER_TAG:
            self.problem("Order", _describe_not_an_order(self.root), NOT_AN_ORDER)
            raise PurchaseOrderError(self.problems)
        root = self.root
        extra = self.read_identification()

        order_number = _text(root.find("cbc:ID", _NS))
        if not order_number:
            self.problem("cbc:ID", "is missing", MISSING_ORDER_ID)
        order_date = self.read_issue_date()
        currency = self.read_currency()
        if currency:
            self.check_amount_currencies(currency)

        lines = self.read_lines()
        total = self.read_amount(
            root.find("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", _NS),
            "cac:AnticipatedMonetaryTotal/cbc:PayableAmount",
            INVALID_TOTAL,
        )
        for key, path in (
            ("line_extension_amount", "LineExtensionAmount"),
            ("tax_exclusive_amount", "TaxExclusiveAmount"),
        ):
            amount = self.read_amount(
                root.find(f"cac:AnticipatedMonetaryTotal/cbc:{path}", _NS),
                f"cac:AnticipatedMonetaryTotal/cbc:{path}",
                INVALID_AMOUNT,
            )
            if amount is not None:
                extra[key] = f"{amount:f}"

        delivery_address, requested_delivery_date = self.read_delivery(extra)
        billing_address = self.read_billing_address()
        if self.problems:
            raise PurchaseOrderError(self.problems)
        return PurchaseOrder(
            order_number=order_number,
            lines=lines,
            currency=currency,
            kind=OrderKind.NEW,
            order_date=order_date,
            transfer_id=_text(root.find("cac:QuotationDocumentReference/cbc:ID", _NS)),
            buyer_reference=_text(root.find("cbc:CustomerReference", _NS)),
            cost_centre=_text(root.find("cbc:AccountingCost", _NS)),
            delivery_address=delivery_address,
            billing_address=billing_address,
            requested_delivery_date=requested_delivery_date,
            note=_joined_text(root.findall("cbc:Note", _NS)),
            total=total,
            buyer_endpoint=_endpoint(
                root.find("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", _NS)
            ),
            extra=extra,
        )

    # ------------------------------------------------------------- header
    def read_identification(self) -> dict[str, str]:
        """The values kept in ``extra``; checks the customization and profile."""
        root = self.root
        customization_id = _text(root.find("cbc:CustomizationID", _NS))
        profile_id = _text(root.find("cbc:ProfileID", _NS))
        if customization_id.startswith(_PEPPOL_TRANSACTION_PREFIX):
            transaction = _first_segment(customization_id, _PEPPOL_TRANSACTION_PREFIX)
            if transaction != "order":
                self.problem(
                    "cbc:CustomizationID",
                    f"{customization_id!r} names the Peppol {transaction!r} "
                    "transaction, not an order",
                    NOT_AN_ORDER,
                )
        if profile_id.startswith(_PEPPOL_PROFILE_PREFIX):
            profile = _first_segment(profile_id, _PEPPOL_PROFILE_PREFIX)
            if profile not in _ORDER_PROFILE_NAMES:
                self.problem(
                    "cbc:ProfileID",
                    f"{profile_id!r} is a Peppol profile without orders",
                    UNSUPPORTED_PROFILE,
                )
        buyer = root.find("cac:BuyerCustomerParty/cac:Party", _NS)
        seller = root.find("cac:SellerSupplierParty/cac:Party", _NS)
        values = {
            "customization_id": customization_id,
            "profile_id": profile_id,
            "order_type_code": _text(root.find("cbc:OrderTypeCode", _NS)),
            "sales_order_id": _text(root.find("cbc:SalesOrderID", _NS)),
            "issue_time": _text(root.find("cbc:IssueTime", _NS)),
            "validity_end_date": _text(
                root.find("cac:ValidityPeriod/cbc:EndDate", _NS)
            ),
            "contract_id": _text(root.find("cac:Contract/cbc:ID", _NS)),
            "project_id": _text(root.find("cac:ProjectReference/cbc:ID", _NS)),
            "originator_document_id": _text(
                root.find("cac:OriginatorDocumentReference/cbc:ID", _NS)
            ),
            "catalogue_id": _text(root.find("cac:CatalogueReference/cbc:ID", _NS)),
            "buyer_party_id": _scheme_and_id(
                _find(buyer, "cac:PartyIdentification/cbc:ID")
            ),
            "buyer_name": _party_name(buyer),
            "seller_endpoint": _scheme_and_id(_find(seller, "cbc:EndpointID")),
            "seller_name": _party_name(seller),
            "payment_terms": _joined_text(
                root.findall("cac:PaymentTerms/cbc:Note", _NS)
            ),
        }
        return {key: value for key, value in values.items() if value}

    def read_issue_date(self) -> date | None:
        if not _text(self.root.find("cbc:IssueDate", _NS)):
            self.problem("cbc:IssueDate", "is missing", MISSING_ISSUE_DATE)
            return None
        return self.read_date(self.root, "cbc:IssueDate", "cbc:IssueDate")

    def read_currency(self) -> str:
        currency = _text(self.root.find("cbc:DocumentCurrencyCode", _NS))
        if not currency:
            self.problem("cbc:DocumentCurrencyCode", "is missing", MISSING_CURRENCY)
            return ""
        if not _CURRENCY.fullmatch(currency):
            self.problem(
                "cbc:DocumentCurrencyCode",
                f"{currency!r} is not an ISO 4217 currency code",
                INVALID_CURRENCY,
            )
            return ""
        return currency

    def check_amount_currencies(self, currency: str) -> None:
        """Every ``cbc:*Amount`` is in the document currency (PEPPOL-T01-R003)."""
        for amount in self.root.iter(f"{{{CBC_NS}}}*"):
            if not etree.QName(amount).localname.endswith("Amount"):
                continue
            line, where = _location(amount)
            amount_currency = (amount.get("currencyID") or "").strip()
            if not amount_currency:
                self.problem(
                    f"{where}/@currencyID", "is missing", MISSING_CURRENCY, line
                )
            elif amount_currency != currency:
                self.problem(
                    f"{where}/@currencyID",
                    f"{amount_currency} differs from the document currency {currency}",
                    CURRENCY_MISMATCH,
                    line,
                )

    def read_amount(
        self,
        element: etree._Element | None,
        where: str,
        code: str,
        line: str | None = None,
    ) -> Decimal | None:
        """A non-negative decimal amount; None when absent or not valid."""
        if element is None:
            return None
        text = _text(element)
        amount = _decimal(text)
        if amount is None:
            self.problem(where, f"{text!r} is not a decimal number", code, line)
            return None
        if amount < 0:
            self.problem(where, f"{text} is negative", code, line)
            return None
        return amount

    def read_date(
        self,
        parent: etree._Element | None,
        path: str,
        where: str,
        line: str | None = None,
    ) -> date | None:
        text = _text(_find(parent, path))
        if not text:
            return None
        match = _DATE.fullmatch(text)
        try:
            if match is None:
                raise ValueError(text)
            return date.fromisoformat(match.group(1))
        except ValueError:
            self.problem(
                where, f"{text!r} is not a date (YYYY-MM-DD)", INVALID_DATE, line
            )
            return None

    def read_period_date(
        self, delivery: etree._Element | None, where: str, line: str | None = None
    ) -> date | None:
        """A requested delivery period's start date, else its end date."""
        period = _find(delivery, "cac:RequestedDeliveryPeriod")
        start = self.read_date(period, "cbc:StartDate", f"{where}/cbc:StartDate", line)
        end = self.read_date(period, "cbc:EndDate", f"{where}/cbc:EndDate", line)
        return start or end

    # ------------------------------------------------------------- parties
    def read_delivery(
        self, extra: dict[str, str]
    ) -> tuple[PostalAddress | None, date | None]:
        deliveries = self.root.findall("cac:Delivery", _NS)
        if not deliveries:
            return None, None
        if len(deliveries) > 1:
            self.problem(
                "cac:Delivery",
                f"the order has {len(deliveries)} deliveries; one is accepted",
                MULTIPLE_DELIVERIES,
            )
        delivery = deliveries[0]
        requested = self.read_period_date(
            delivery, "cac:Delivery/cac:RequestedDeliveryPeriod"
        )
        end = _text(delivery.find("cac:RequestedDeliveryPeriod/cbc:EndDate", _NS))
        if end:
            extra["requested_delivery_end_date"] = end

        location = delivery.find("cac:DeliveryLocation", _NS)
        party = delivery.find("cac:DeliveryParty", _NS)
        address_path = "cac:DeliveryLocation/cac:Address"
        address = delivery.find(address_path, _NS)
        if address is None:
            address_path = "cac:DeliveryParty/cac:PostalAddress"
            address = delivery.find(address_path, _NS)
        company = _text(_find(party, "cac:PartyName/cbc:Name")) or _text(
            _find(location, "cbc:Name")
        )
        reference = _text(_find(location, "cbc:ID")) or _text(
            delivery.find("cbc:ID", _NS)
        )
        if address is None and party is None and not reference:
            return None, requested
        return (
            self.postal_address(
                address,
                f"cac:Delivery/{address_path}",
                company=company,
                contact=_find(party, "cac:Contact"),
                reference=reference,
            ),
            requested,
        )

    def read_billing_address(self) -> PostalAddress | None:
        for path in (
            "cac:AccountingCustomerParty/cac:Party",
            "cac:BuyerCustomerParty/cac:Party",
        ):
            party = self.root.find(path, _NS)
            address = _find(party, "cac:PostalAddress")
            if address is not None:
                return self.postal_address(
                    address,
                    f"{path}/cac:PostalAddress",
                    company=_party_name(party),
                    contact=_find(party, "cac:Contact"),
                )
        return None

    def postal_address(
        self,
        address: etree._Element | None,
        where: str,
        *,
        company: str,
        contact: etree._Element | None,
        reference: str = "",
    ) -> PostalAddress:
        country = _text(_find(address, "cac:Country/cbc:IdentificationCode"))
        if country and not _COUNTRY.fullmatch(country):
            self.problem(
                f"{where}/cac:Country/cbc:IdentificationCode",
                f"{country!r} is not an ISO 3166 alpha-2 country code",
                INVALID_COUNTRY,
            )
            country = ""
        street = " ".join(
            part
            for part in (
                _text(_find(address, "cbc:StreetName")),
                _text(_find(address, "cbc:BuildingNumber")),
            )
            if part
        )
        additional = [_text(_find(address, "cbc:AdditionalStreetName"))]
        if address is not None:
            additional += [
                _text(line) for line in address.findall("cac:AddressLine/cbc:Line", _NS)
            ]
        return PostalAddress(
            name=_text(_find(contact, "cbc:Name")),
            company=company,
            street=street,
            street2=", ".join(part for part in additional if part),
            city=_text(_find(address, "cbc:CityName")),
            postcode=_text(_find(address, "cbc:PostalZone")),
            country=country.upper(),
            country_area=_text(_find(address, "cbc:CountrySubentity")),
            phone=_text(_find(contact, "cbc:Telephone")),
            email=_text(_find(contact, "cbc:ElectronicMail")),
            reference=reference,
        )

    # ------------------------------------------------------------- lines
    def read_lines(self) -> tuple[PurchaseOrderLine, ...]:
        order_lines = self.root.findall("cac:OrderLine", _NS)
        if not order_lines:
            self.problem("cac:OrderLine", "the order has no lines", NO_LINES)
            return ()
        lines = []
        seen_numbers: set[str] = set()
        for position, order_line in enumerate(order_lines, start=1):
            line_number = _text(order_line.find("cac:LineItem/cbc:ID", _NS))
            label = line_number or None
            # Without a line number, say where the line is instead.
            where = (
                "cac:OrderLine/cac:LineItem"
                if line_number
                else f"cac:OrderLine[{position}]/cac:LineItem"
            )
            item = order_line.find("cac:LineItem", _NS)
            if item is None:
                self.problem(
                    f"cac:OrderLine[{position}]/cac:LineItem",
                    "is missing",
                    MISSING_LINE_ITEM,
                )
                continue
            if not line_number:
                self.problem(f"{where}/cbc:ID", "is missing", MISSING_LINE_NUMBER)
            elif line_number in seen_numbers:
                self.problem(
                    f"{where}/cbc:ID",
                    f"line number {line_number!r} is used more than once",
                    DUPLICATE_LINE_NUMBER,
                    label,
                )
            seen_numbers.add(line_number)
            lines.append(self.read_line(order_line, item, where, label))
        return tuple(lines)

    def read_line(
        self,
        order_line: etree._Element,
        item: etree._Element,
        where: str,
        label: str | None,
    ) -> PurchaseOrderLine:
        quantity, unit = self.read_quantity(item, where, label)
        sku = _text(item.find("cac:Item/cac:SellersItemIdentification/cbc:ID", _NS))
        if not sku:
            self.problem(
                f"{where}/cac:Item/cac:SellersItemIdentification/cbc:ID",
                "is missing",
                MISSING_SKU,
                label,
            )
        deliveries = item.findall("cac:Delivery", _NS)
        if len(deliveries) > 1:
            self.problem(
                f"{where}/cac:Delivery",
                f"the line has {len(deliveries)} deliveries; one is accepted",
                MULTIPLE_DELIVERIES,
                label,
            )
        return PurchaseOrderLine(
            line_number=label or "",
            sku=sku,
            quantity=quantity,
            unit=unit,
            unit_price=self.read_unit_price(item, unit, where, label),
            description=_text(item.find("cac:Item/cbc:Name", _NS))
            or _text(item.find("cac:Item/cbc:Description", _NS)),
            nzi_code=self.read_nzi_code(item, where, label),
            cost_centre=_text(item.find("cbc:AccountingCost", _NS)),
            requested_delivery_date=self.read_period_date(
                deliveries[0] if deliveries else None,
                f"{where}/cac:Delivery/cac:RequestedDeliveryPeriod",
                label,
            ),
            note=_joined_text(
                order_line.findall("cbc:Note", _NS) + item.findall("cbc:Note", _NS)
            ),
        )

    def read_quantity(
        self, item: etree._Element, where: str, line: str | None
    ) -> tuple[Decimal, str]:
        element = item.find("cbc:Quantity", _NS)
        text = _text(element)
        unit = _attribute(element, "unitCode")
        if element is not None and not unit:
            self.problem(
                f"{where}/cbc:Quantity/@unitCode", "is missing", MISSING_UNIT, line
            )
        if not text:
            self.problem(f"{where}/cbc:Quantity", "is missing", MISSING_QUANTITY, line)
            return Decimal(0), unit
        quantity = _decimal(text)
        if quantity is None:
            self.problem(
                f"{where}/cbc:Quantity",
                f"{text!r} is not a decimal number",
                INVALID_QUANTITY,
                line,
            )
            return Decimal(0), unit
        if quantity <= 0:
            self.problem(
                f"{where}/cbc:Quantity",
                f"{text} is not greater than zero",
                NOT_POSITIVE,
                line,
            )
        return quantity, unit

    def read_unit_price(
        self, item: etree._Element, unit: str, where: str, line: str | None
    ) -> Decimal | None:
        price = item.find("cac:Price", _NS)
        if price is None:
            return None
        amount_element = price.find("cbc:PriceAmount", _NS)
        if amount_element is None:
            self.problem(
                f"{where}/cac:Price/cbc:PriceAmount", "is missing", INVALID_PRICE, line
            )
            return None
        amount = self.read_amount(
            amount_element, f"{where}/cac:Price/cbc:PriceAmount", INVALID_PRICE, line
        )
        base_element = price.find("cbc:BaseQuantity", _NS)
        if base_element is None:
            return amount
        base_where = f"{where}/cac:Price/cbc:BaseQuantity"
        base_text = _text(base_element)
        base_quantity = _decimal(base_text)
        if base_quantity is None or base_quantity <= 0:
            self.problem(
                base_where,
                f"{base_text!r} is not a number greater than zero",
                INVALID_BASE_QUANTITY,
                line,
            )
            return None
        base_unit = _attribute(base_element, "unitCode")
        if base_unit and unit and base_unit != unit:
            self.problem(
                f"{base_where}/@unitCode",
                f"the price is per {base_unit}, the quantity in {unit}",
                UNIT_MISMATCH,
                line,
            )
            return None
        return None if amount is None else amount / base_quantity

    def read_nzi_code(self, item: etree._Element, where: str, line: str | None) -> str:
        codes = {
            _text(code)
            for code in item.iterfind(
                "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode", _NS
            )
            if _is_nzi_classification(code) and _text(code)
        }
        field = (
            f"{where}/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode"
        )
        if len(codes) > 1:
            self.problem(
                field,
                f"the line has several NZI codes: {', '.join(sorted(codes))}",
                AMBIGUOUS_NZI_CODE,
                line,
            )
            return ""
        code = codes.pop() if codes else ""
        if len(code) > NZI_CODE_MAX_LENGTH:
            self.problem(
                field,
                f"the NZI code {code!r} is longer than "
                f"{NZI_CODE_MAX_LENGTH} characters",
                INVALID_NZI_CODE,
                line,
            )
            return ""
        return code


# ----------------------------------------------------------------- order response
class OrderResponseCode(StrEnum):
    """The order-level answers of a Peppol Order Response used here (UNCL 4343)."""

    ACCEPTED = "AP"
    REJECTED = "RE"


def build_order_response(
    *,
    response_id: str,
    order_number: str,
    code: OrderResponseCode,
    issue_date: date,
    currency: str,
    seller_endpoint: tuple[str, str],
    seller_name: str,
    buyer_endpoint: tuple[str, str],
    buyer_name: str = "",
    buyer_party_id: str = "",
    note: str = "",
    customer_reference: str = "",
    sales_order_id: str = "",
    issue_time: time | None = None,
) -> bytes:
    """Write a Peppol BIS Order Response (T76) accepting or rejecting a whole order.

    Accepting or rejecting as a whole carries no lines (Peppol: "No lines should be
    sent" for AP and RE). ``note`` is the response clarification: for a rejection
    the reason, which the buyer should get. The buyer needs a name or a party id
    (PEPPOL-T76-R001); both endpoints are (scheme, id) with both parts given.
    Raises ``ValueError`` when a required value is missing.
    """
    errors = []
    for name, value in (
        ("response_id", response_id),
        ("order_number", order_number),
        ("seller_name", seller_name),
    ):
        if not value.strip():
            errors.append(f"{name} is empty")
    if not _CURRENCY.fullmatch(currency):
        errors.append(f"currency {currency!r} is not an ISO 4217 currency code")
    for name, endpoint in (
        ("seller_endpoint", seller_endpoint),
        ("buyer_endpoint", buyer_endpoint),
    ):
        if not all(part.strip() for part in endpoint):
            errors.append(f"{name} needs a scheme and an identifier")
    if not (buyer_name.strip() or buyer_party_id.strip()):
        errors.append("the buyer needs a name or a party identifier")
    if errors:
        raise ValueError("cannot build the order response: " + "; ".join(errors))

    root = etree.Element(
        f"{{{ORDER_RESPONSE_NS}}}OrderResponse",
        nsmap={None: ORDER_RESPONSE_NS, "cac": CAC_NS, "cbc": CBC_NS},
    )
    _sub(root, "cbc:CustomizationID", PEPPOL_ORDER_RESPONSE_CUSTOMIZATION_ID)
    _sub(root, "cbc:ProfileID", PEPPOL_ORDERING_PROFILE_ID)
    _sub(root, "cbc:ID", response_id)
    if sales_order_id:
        _sub(root, "cbc:SalesOrderID", sales_order_id)
    _sub(root, "cbc:IssueDate", issue_date.isoformat())
    if issue_time is not None:
        _sub(root, "cbc:IssueTime", issue_time.replace(microsecond=0).isoformat())
    _sub(root, "cbc:OrderResponseCode", code.value)
    if note:
        _sub(root, "cbc:Note", note)
    _sub(root, "cbc:DocumentCurrencyCode", currency)
    if customer_reference:
        _sub(root, "cbc:CustomerReference", customer_reference)
    _sub(_sub(root, "cac:OrderReference"), "cbc:ID", order_number)
    _response_party(
        _sub(root, "cac:SellerSupplierParty"), seller_endpoint, seller_name, ""
    )
    _response_party(
        _sub(root, "cac:BuyerCustomerParty"),
        buyer_endpoint,
        buyer_name,
        buyer_party_id,
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _response_party(
    container: etree._Element,
    endpoint: tuple[str, str],
    registration_name: str,
    party_id: str,
) -> None:
    party = _sub(container, "cac:Party")
    scheme, identifier = endpoint
    _sub(party, "cbc:EndpointID", identifier, schemeID=scheme)
    if party_id:
        _sub(_sub(party, "cac:PartyIdentification"), "cbc:ID", party_id)
    if registration_name:
        _sub(
            _sub(party, "cac:PartyLegalEntity"),
            "cbc:RegistrationName",
            registration_name,
        )


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    prefix, local = name.split(":")
    element = etree.SubElement(parent, f"{{{_NS[prefix]}}}{local}", attributes)
    if text is not None:
        element.text = text
    return element


# ----------------------------------------------------------------- helpers
def _describe_not_an_order(root: etree._Element) -> str:
    if not isinstance(root.tag, str):
        return "the document has no root element"
    qname = etree.QName(root)
    described = _NOT_ORDER_DOCUMENTS.get(qname.localname)
    if (
        described
        and qname.namespace
        and qname.namespace.startswith("urn:oasis:names:specification:ubl:schema:xsd:")
    ):
        return f"the document is {described}"
    namespace = f" in namespace {qname.namespace!r}" if qname.namespace else ""
    return (
        f"the document is a {qname.localname!r}{namespace}, not a UBL Order "
        f"({ORDER_NS!r})"
    )


def _location(element: etree._Element) -> tuple[str | None, str]:
    """(line number, field path) of an element, for a problem report."""
    names = []
    line_number = None
    current: etree._Element | None = element
    while current is not None and current.getparent() is not None:
        qname = etree.QName(current)
        prefix = {CAC_NS: "cac:", CBC_NS: "cbc:"}.get(qname.namespace or "", "")
        name = f"{prefix}{qname.localname}"
        if name == "cac:OrderLine":
            line_number = _text(current.find("cac:LineItem/cbc:ID", _NS)) or None
            if line_number is None:
                # Without a line number, say where the line is instead.
                siblings = current.getparent().findall("cac:OrderLine", _NS)
                name = f"cac:OrderLine[{siblings.index(current) + 1}]"
        names.append(name)
        current = current.getparent()
    return line_number, "/".join(reversed(names))


def _is_nzi_classification(code: etree._Element) -> bool:
    list_id = _attribute(code, "listID")
    if _NZI_WORD.search(list_id.lower()):
        return True
    if list_id.upper() != _MUTUALLY_DEFINED:
        return False
    return any(
        _NZI_WORD.search(_attribute(code, name).lower())
        for name in ("name", "listName")
    )


def _first_segment(identifier: str, prefix: str) -> str:
    return identifier[len(prefix) :].split(":", 1)[0]


def _party_name(party: etree._Element | None) -> str:
    """A party's legal name, else its trading name."""
    return _text(_find(party, "cac:PartyLegalEntity/cbc:RegistrationName")) or _text(
        _find(party, "cac:PartyName/cbc:Name")
    )


def _endpoint(element: etree._Element | None) -> tuple[str, str] | None:
    identifier = _text(element)
    if not identifier:
        return None
    return _attribute(element, "schemeID"), identifier


def _scheme_and_id(element: etree._Element | None) -> str:
    endpoint = _endpoint(element)
    if endpoint is None:
        return ""
    scheme, identifier = endpoint
    return f"{scheme}:{identifier}" if scheme else identifier


def _find(parent: etree._Element | None, path: str) -> etree._Element | None:
    return None if parent is None else parent.find(path, _NS)


def _attribute(element: etree._Element | None, name: str) -> str:
    if element is None:
        return ""
    return (element.get(name) or "").strip()


def _text(element: etree._Element | None) -> str:
    """All text inside ``element``, stripped; "" for no element."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _joined_text(elements: Iterable[etree._Element]) -> str:
    return "\n".join(text for text in map(_text, elements) if text)


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if _DECIMAL.fullmatch(text) else None
