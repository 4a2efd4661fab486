"""The cXML OrderRequest reader and the cXML Response writer.

The fixtures in data/ are written from the cXML User's Guide 1.2.x in the shapes SAP
Ariba (NetworkID credentials, Extrinsics, a "Cost Center" accounting segment) and
Coupa (DUNS credentials, several lines) send.
"""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from saleor_oci_plugin.purchase_orders.cxml import (
    CXML_DTD_URL,
    STATUS_ACCEPTED,
    STATUS_BAD_REQUEST,
    STATUS_CONFLICT,
    STATUS_INTERNAL_SERVER_ERROR,
    STATUS_NOT_ACCEPTABLE,
    STATUS_OK,
    STATUS_TEXTS,
    STATUS_UNAUTHORIZED,
    CXMLContact,
    CXMLOrderRequestError,
    SenderCredential,
    build_response,
    new_payload_id,
    read_order_request,
)
from saleor_oci_plugin.purchase_orders.dataclasses import (
    OrderKind,
    PostalAddress,
    PurchaseOrder,
    PurchaseOrderError,
    PurchaseOrderLine,
)
from saleor_oci_plugin.safe_xml import DEFAULT_MAX_BYTES, UnsafeXMLError

DATA = Path(__file__).parent / "data"
STANDARD_DOCTYPE = f'<!DOCTYPE cXML SYSTEM "{CXML_DTD_URL}">'


def read_fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


# ----------------------------------------------------------- small documents
ROOT_ATTRIBUTES = 'payloadID="1@buyer.example" timestamp="2024-05-01T10:00:00Z"'


def item_out(
    line: str | None = "1",
    *,
    quantity: str | None = "1",
    sku: str = "SKU-1",
    price: str | None = "10.00",
    currency: str | None = "EUR",
    transfer_id: str = "",
    inner: str = "",
    attributes: str = "",
) -> str:
    line_attribute = f' lineNumber="{line}"' if line is not None else ""
    quantity_attribute = f' quantity="{quantity}"' if quantity is not None else ""
    currency_attribute = f' currency="{currency}"' if currency is not None else ""
    aux = (
        f"<SupplierPartAuxiliaryID>{transfer_id}</SupplierPartAuxiliaryID>"
        if transfer_id
        else ""
    )
    unit_price = (
        f"<UnitPrice><Money{currency_attribute}>{price}</Money></UnitPrice>"
        if price is not None
        else ""
    )
    return (
        f"<ItemOut{quantity_attribute}{line_attribute}{attributes}>"
        f"<ItemID><SupplierPartID>{sku}</SupplierPartID>{aux}</ItemID>"
        f"<ItemDetail>{unit_price}<Description>Gift box</Description>"
        f"<UnitOfMeasure>EA</UnitOfMeasure></ItemDetail>{inner}</ItemOut>"
    )


def order_request(
    items: str | None = None,
    *,
    header_attributes: str = 'orderID="PO-1" orderDate="2024-05-01" type="new"',
    header: str = '<Total><Money currency="EUR">10.00</Money></Total>',
    root_attributes: str = ROOT_ATTRIBUTES,
    request_attributes: str = 'deploymentMode="production"',
) -> bytes:
    if items is None:
        items = item_out()
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{STANDARD_DOCTYPE}\n'
        f"<cXML {root_attributes}><Header>"
        '<From><Credential domain="NetworkID"><Identity>AN01</Identity>'
        "</Credential></From>"
        '<To><Credential domain="NetworkID"><Identity>AN02</Identity>'
        "</Credential></To>"
        '<Sender><Credential domain="NetworkID"><Identity>AN01</Identity>'
        "<SharedSecret>secret</SharedSecret></Credential>"
        "<UserAgent>test</UserAgent></Sender></Header>"
        f"<Request {request_attributes}><OrderRequest>"
        f"<OrderRequestHeader {header_attributes}>{header}</OrderRequestHeader>"
        f"{items}</OrderRequest></Request></cXML>"
    ).encode()


def refusal(body: bytes) -> CXMLOrderRequestError:
    with pytest.raises(CXMLOrderRequestError) as caught:
        read_order_request(body)
    return caught.value


def codes_and_lines(body: bytes) -> set[tuple[str, str | None]]:
    return {(problem.code, problem.line) for problem in refusal(body).problems}


# ----------------------------------------------------------- Ariba fixture
@pytest.fixture(scope="module")
def ariba():
    return read_order_request(read_fixture("cxml_order_request_ariba.xml"))


@pytest.fixture(scope="module")
def coupa():
    return read_order_request(read_fixture("cxml_order_request_coupa.xml"))


def test_ariba_envelope(ariba):
    assert ariba.payload_id == "1711037655123.4711.2093@ariba.example"
    assert ariba.timestamp == "2024-03-21T17:14:15+01:00"
    assert ariba.from_credentials == (
        ("NetworkID", "AN01000000001"),
        ("SystemID", "ERP-PRD-100"),
    )
    assert ariba.to_credentials == (("NetworkID", "AN02000000002"),)
    assert ariba.sender == SenderCredential(
        domain="NetworkID",
        identity="AN01000000001",
        shared_secret="w0rd&geheim",
        user_agent="Ariba Network V1.0",
    )
    assert ariba.deployment_mode == "production"
    assert ariba.order_version == "1"
    assert ariba.contacts == (
        CXMLContact(
            role="endUser", name="Jan de Vries", email="j.devries@ziekenhuis.example"
        ),
    )


def test_the_shared_secret_stays_out_of_repr(ariba):
    assert "w0rd&geheim" not in repr(ariba)
    assert "w0rd&geheim" not in repr(ariba.sender)
    assert ariba.sender.shared_secret == "w0rd&geheim"


def test_ariba_header(ariba):
    order = ariba.purchase_order
    assert order.order_number == "4500012345"
    assert order.order_date == date(2024, 3, 21)
    assert order.kind is OrderKind.NEW
    assert order.total == Decimal("187.50")
    assert order.currency == "EUR"
    assert order.note == "Graag leveren tussen 8:00 en 10:00 uur."
    assert order.extra == {"CompanyCode": "1000", "PurchasingGroup": "Facilitair"}
    # cXML has no requester reference; the endUser contact is not one.
    assert order.buyer_reference == ""
    assert order.transfer_id == "TR-2024-000123"
    # Both lines book to KP-4410, so the order does too.
    assert order.cost_centre == "KP-4410"
    assert order.requested_delivery_date is None
    assert order.buyer_endpoint is None


def test_ariba_addresses(ariba):
    order = ariba.purchase_order
    assert order.delivery_address == PostalAddress(
        name="J. de Vries",
        company="Ziekenhuis Amstelland",
        street="Laan van de Helende Meesters 8",
        street2="Gebouw B, kamer 2.14",
        city="Amstelveen",
        postcode="1186 AM",
        country="NL",
        country_area="NH",
        phone="+31 20 5550123",
        email="inkoop@ziekenhuis.example",
        reference="ZH-AMS-0042",
    )
    assert order.billing_address == PostalAddress(
        name="Crediteurenadministratie",
        company="Stichting Ziekenhuis Amstelland",
        street="Postbus 328",
        city="Amstelveen",
        postcode="1180 AH",
        country="NL",
        reference="BILL-1000",
    )


def test_ariba_lines(ariba):
    first, second = ariba.purchase_order.lines
    assert first == PurchaseOrderLine(
        line_number="10",
        sku="GB-XMAS-L",
        quantity=Decimal("3"),
        unit="EA",
        unit_price=Decimal("45.00"),
        # The Description's own text, not its ShortName.
        description="Kerstpakket groot, met wenskaart",
        nzi_code="4321",
        # "Cost Center" is preferred over the G/L Account segment before it.
        cost_centre="KP-4410",
        requested_delivery_date=date(2024, 3, 28),
        transfer_id="TR-2024-000123",
        note="Kaarttekst: Fijne feestdagen!",
    )
    assert second.line_number == "20"
    assert second.quantity == Decimal("2.5")
    assert isinstance(second.quantity, Decimal)
    assert second.unit == "KGM"
    assert second.unit_price == Decimal("21.00")
    assert second.requested_delivery_date == date(2024, 3, 28)
    assert second.note == ""


# ----------------------------------------------------------- Coupa fixture
def test_coupa_envelope(coupa):
    assert coupa.from_credentials == (("DUNS", "123456789"),)
    assert coupa.to_credentials == (("DUNS", "987654321"),)
    assert coupa.sender is not None
    assert (coupa.sender.domain, coupa.sender.identity) == ("DUNS", "123456789")
    assert coupa.sender.shared_secret == "coupa-secret-42"
    assert coupa.deployment_mode == "test"
    assert coupa.order_version == ""


def test_coupa_header(coupa):
    order = coupa.purchase_order
    assert order.order_number == "7781"
    assert order.order_date == date(2024, 4, 2)
    assert order.total == Decimal("141.90")
    # The text of Comments without that of its Attachment.
    assert order.note == "Attentie: receptie begane grond."
    assert order.extra == {}
    # Line 3 carries no transfer id; the others agree.
    assert order.transfer_id == "TR-77"
    # The lines book to different cost centres: none for the order.
    assert order.cost_centre == ""
    assert order.delivery_address is not None
    assert order.delivery_address.country == "NL"  # sent as "nl"
    assert order.delivery_address.reference == "1042"
    assert order.delivery_address.name == "Team Facilitair"
    assert order.billing_address is not None
    assert order.billing_address.name == ""
    assert order.billing_address.street == "Postbus 16200"


def test_coupa_lines(coupa):
    lines = coupa.purchase_order.lines
    assert [line.line_number for line in lines] == ["1", "2", "3", "4"]
    assert [line.sku for line in lines] == [
        "CARD-LOGO-A6",
        "CHOC-BONBON-KG",
        "BOUQUET-M",
        "VASE-GLASS",
    ]
    assert [line.quantity for line in lines] == [
        Decimal("10"),
        Decimal("1.25"),
        Decimal("4"),
        Decimal("2"),
    ]
    assert [line.unit_price for line in lines] == [
        Decimal("4.95"),
        Decimal("18.00"),
        Decimal("12.50"),
        Decimal("9.95"),
    ]
    # domain "nzi-code" names NZI; the code attribute wins over the text.
    assert [line.nzi_code for line in lines] == ["8120", "", "", ""]
    # Kostenplaats preferred; "costcenter" matched in any case; else the first
    # segment; no Distribution: none.
    assert [line.cost_centre for line in lines] == ["KP-200", "KP-210", "", "4400"]
    assert [line.transfer_id for line in lines] == ["TR-77", "TR-77", "", "TR-77"]
    assert [line.requested_delivery_date for line in lines] == [
        None,
        None,
        date(2024, 4, 5),
        None,
    ]
    assert lines[0].description == "Wenskaart A6 met logo"


# ----------------------------------------------------------- other readings
def test_a_minimal_document_without_doctype_reads():
    body = order_request().replace(STANDARD_DOCTYPE.encode(), b"")
    order = read_order_request(body).purchase_order
    assert order.order_number == "PO-1"
    assert order.delivery_address is None
    assert order.billing_address is None


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.060/cXML.dtd">',
        b"<!DOCTYPE cXML SYSTEM 'http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd'>",
        b'<!DOCTYPE  cXML  SYSTEM "https://xml.cxml.org/schemas/cXML/1.1.010/cXML.dtd"'
        b" >",
    ],
)
def test_the_standard_cxml_doctype_is_accepted(doctype):
    body = order_request().replace(STANDARD_DOCTYPE.encode(), doctype)
    assert read_order_request(body).purchase_order.order_number == "PO-1"


def test_a_doctype_without_xml_declaration_and_with_bom_is_accepted():
    body = order_request().split(b"\n", 1)[1]
    assert body.startswith(b"<!DOCTYPE")
    assert read_order_request(body).purchase_order.order_number == "PO-1"
    assert read_order_request(b"\xef\xbb\xbf" + order_request()).payload_id


@pytest.mark.parametrize(
    ("kind", "expected"), list(zip(["new", "update", "delete"], OrderKind, strict=True))
)
def test_order_kinds(kind, expected):
    body = order_request(header_attributes=f'orderID="PO-1" type="{kind}"')
    assert read_order_request(body).purchase_order.kind is expected


def test_type_defaults_to_new_and_document_reference_is_kept():
    body = order_request(
        header_attributes='orderID="PO-1" orderVersion="2"',
        header='<Total><Money currency="EUR">10</Money></Total>'
        '<DocumentReference payloadID="original@buyer.example"/>',
    )
    request = read_order_request(body)
    assert request.purchase_order.kind is OrderKind.NEW
    assert request.order_version == "2"
    assert request.document_reference == "original@buyer.example"


def test_without_total_the_currency_comes_from_the_lines():
    body = order_request(
        item_out("1", currency="GBP") + item_out("2", currency="GBP"), header=""
    )
    order = read_order_request(body).purchase_order
    assert order.total is None
    assert order.currency == "GBP"


def test_numbers_keep_every_digit():
    body = order_request(
        item_out("1", quantity="1.000000000000000001", price="12345678901234567.01")
    )
    (line,) = read_order_request(body).purchase_order.lines
    assert line.quantity == Decimal("1.000000000000000001")
    assert line.unit_price == Decimal("12345678901234567.01")


def test_a_line_without_price_has_none():
    order = read_order_request(order_request(item_out(price=None))).purchase_order
    assert order.lines[0].unit_price is None


def test_order_level_requested_delivery_date_and_deployment_default():
    body = order_request(
        header_attributes='orderID="PO-1" requestedDeliveryDate="2024-12-20T08:00:00Z"',
        request_attributes="",
    )
    request = read_order_request(body)
    assert request.purchase_order.requested_delivery_date == date(2024, 12, 20)
    assert request.deployment_mode == "production"


def test_the_date_is_kept_as_written_not_moved_to_utc():
    body = order_request(
        header_attributes='orderID="PO-1" orderDate="2024-05-01T23:30:00-08:00"'
    )
    assert read_order_request(body).purchase_order.order_date == date(2024, 5, 1)


def test_older_segment_form_and_same_cost_centre_in_several_distributions():
    distribution = (
        '<Distribution><Accounting name="A"><Segment type="GLAccount" id="6100"/>'
        '<Segment type="CostCenter" id="KP-9"/></Accounting>'
        '<Charge><Money currency="EUR">5</Money></Charge></Distribution>'
    )
    body = order_request(item_out(inner=distribution * 2))
    assert read_order_request(body).purchase_order.lines[0].cost_centre == "KP-9"


def test_nzi_domain_must_name_nzi_as_a_word():
    classification = (
        '<ItemDetail><Classification domain="FRANZIS">1</Classification>'
        '<Classification domain="custom NZI">  77  </Classification></ItemDetail>'
    )
    body = order_request(
        "<ItemOut quantity='1' lineNumber='1'><ItemID><SupplierPartID>A"
        f"</SupplierPartID></ItemID>{classification}</ItemOut>"
    )
    assert read_order_request(body).purchase_order.lines[0].nzi_code == "77"


def test_telephone_number_with_extension_and_extra_streets():
    address = (
        '<ShipTo><Address addressID="X"><Name>Org</Name><PostalAddress>'
        "<DeliverTo>A</DeliverTo><DeliverTo>B</DeliverTo>"
        "<Street>S1</Street><Street>S2</Street><Street>S3</Street>"
        "<City>C</City><Country isoCountryCode='BE'>Belgium</Country>"
        "</PostalAddress><Phone><TelephoneNumber>"
        "<CountryCode isoCountryCode='BE'>+32</CountryCode>"
        "<AreaOrCityCode>2</AreaOrCityCode><Number>1234567</Number>"
        "<Extension>89</Extension></TelephoneNumber></Phone></Address></ShipTo>"
    )
    body = order_request(
        header='<Total><Money currency="EUR">10</Money></Total>' + address
    )
    delivery = read_order_request(body).purchase_order.delivery_address
    assert delivery is not None
    assert delivery.name == "A, B"
    assert (delivery.street, delivery.street2) == ("S1", "S2, S3")
    assert delivery.phone == "+32 2 1234567 x89"
    assert delivery.country == "BE"


def test_first_extrinsic_of_a_repeated_name_wins():
    header = (
        '<Total><Money currency="EUR">10</Money></Total>'
        '<Extrinsic name="Dept">A</Extrinsic><Extrinsic name="Dept">B</Extrinsic>'
        "<Extrinsic>nameless</Extrinsic>"
    )
    order = read_order_request(order_request(header=header)).purchase_order
    assert order.extra == {"Dept": "A"}


# ----------------------------------------------------------- refusals
def test_refusal_is_a_purchase_order_error_with_the_envelope():
    error = refusal(order_request(header_attributes='orderDate="2024-05-01"'))
    assert isinstance(error, PurchaseOrderError)
    assert error.envelope is not None
    assert error.envelope.payload_id == "1@buyer.example"
    assert error.envelope.sender == SenderCredential(
        "NetworkID", "AN01", shared_secret="secret", user_agent="test"
    )
    assert "secret" not in str(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            order_request(header_attributes='type="new"'),
            {("missing_order_id", None)},
            id="missing orderID",
        ),
        pytest.param(
            order_request(header_attributes='orderID="  "'),
            {("missing_order_id", None)},
            id="blank orderID",
        ),
        pytest.param(order_request(""), {("no_lines", None)}, id="no lines"),
        pytest.param(
            order_request(item_out("7", quantity="0")),
            {("not_positive", "7")},
            id="zero quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity="-2.5")),
            {("not_positive", "7")},
            id="negative quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity="1,5")),
            {("invalid_quantity", "7")},
            id="comma quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity="NaN")),
            {("invalid_quantity", "7")},
            id="NaN quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity="1e3")),
            {("invalid_quantity", "7")},
            id="exponent quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity="Infinity")),
            {("invalid_quantity", "7")},
            id="infinite quantity",
        ),
        pytest.param(
            order_request(item_out("7", quantity=None)),
            {("missing_quantity", "7")},
            id="missing quantity",
        ),
        pytest.param(
            order_request(item_out("7", price="12,50")),
            {("invalid_price", "7")},
            id="comma price",
        ),
        pytest.param(
            order_request(item_out("7", price="")),
            {("invalid_price", "7")},
            id="empty price",
        ),
        pytest.param(
            order_request(header='<Total><Money currency="EUR">ten</Money></Total>'),
            {("invalid_total", None)},
            id="total not a number",
        ),
        pytest.param(
            order_request(item_out("7", currency="USD")),
            {("currency_mismatch", "7")},
            id="currency mismatch with header",
        ),
        pytest.param(
            order_request(item_out("1", currency="USD") + item_out("2"), header=""),
            {("currency_mismatch", "2")},
            id="currency mismatch between lines",
        ),
        pytest.param(
            order_request(item_out("7", currency=None)),
            {("missing_currency", "7")},
            id="missing line currency",
        ),
        pytest.param(
            order_request(item_out("7", currency="eur")),
            {("invalid_currency", "7")},
            id="lower-case currency",
        ),
        pytest.param(
            order_request(header="<Total><Money>10</Money></Total>"),
            {("missing_currency", None)},
            id="missing total currency",
        ),
        pytest.param(
            order_request(header_attributes='orderID="PO-1" type="cancel"'),
            {("unknown_type", None)},
            id="unknown type",
        ),
        pytest.param(
            order_request(item_out("1") + item_out("2") + item_out("1")),
            {("duplicate_line_number", "1")},
            id="duplicate line number",
        ),
        pytest.param(
            order_request(item_out("1") + item_out(None)),
            {("missing_line_number", None)},
            id="missing line number",
        ),
        pytest.param(
            order_request(item_out("3", sku="")),
            {("missing_sku", "3")},
            id="missing sku",
        ),
        pytest.param(
            order_request(
                item_out(
                    "4",
                    inner='<Distribution><Accounting name="a">'
                    '<AccountingSegment id="K1">'
                    "<Name>Cost Center</Name></AccountingSegment></Accounting>"
                    "</Distribution>"
                    '<Distribution><Accounting name="b"><AccountingSegment id="K2">'
                    "<Name>Cost Center</Name></AccountingSegment></Accounting>"
                    "</Distribution>",
                )
            ),
            {("split_accounting", "4")},
            id="split over cost centres",
        ),
        pytest.param(
            order_request(header_attributes='orderID="PO-1" orderDate="21-03-2024"'),
            {("invalid_date", None)},
            id="order date not ISO",
        ),
        pytest.param(
            order_request(item_out("5", attributes=' requestedDeliveryDate="soon"')),
            {("invalid_date", "5")},
            id="line date not ISO",
        ),
        pytest.param(
            order_request(
                header='<Total><Money currency="EUR">1</Money></Total><ShipTo>'
                '<Address><Name>X</Name><PostalAddress><Country isoCountryCode="NLD">'
                "NL</Country></PostalAddress></Address></ShipTo>"
            ),
            {("invalid_country", None)},
            id="three-letter country",
        ),
        pytest.param(
            order_request(
                item_out(
                    "6",
                    inner="",
                ).replace(
                    "</ItemDetail>",
                    '<Classification domain="NZI">12345678901</Classification>'
                    "</ItemDetail>",
                )
            ),
            {("invalid_nzi_code", "6")},
            id="NZI code too long",
        ),
        pytest.param(
            order_request(request_attributes='deploymentMode="staging"'),
            {("unknown_deployment_mode", None)},
            id="unknown deployment mode",
        ),
        pytest.param(
            order_request()
            .replace(b"<OrderRequestHeader", b"<Header2", 1)
            .replace(b"</OrderRequestHeader>", b"</Header2>"),
            {("missing_order_request_header", None), ("missing_order_id", None)},
            id="missing OrderRequestHeader",
        ),
        pytest.param(
            order_request(root_attributes='timestamp="2024-05-01T10:00:00Z"'),
            {("missing_payload_id", None)},
            id="missing payloadID",
        ),
    ],
)
def test_each_refusal_has_its_code_and_line(body, expected):
    assert codes_and_lines(body) == expected


def test_lines_from_several_transfers_keep_their_own_and_the_order_names_none():
    order = read_order_request(
        order_request(
            item_out("1", transfer_id="TR-1")
            + item_out("2")
            + item_out("3", transfer_id="TR-2")
        )
    ).purchase_order
    assert order.transfer_id == ""
    assert [line.transfer_id for line in order.lines] == ["TR-1", "", "TR-2"]


def test_a_missing_line_number_names_the_position():
    error = refusal(order_request(item_out("1") + item_out(None)))
    (problem,) = error.problems
    assert problem.field == "ItemOut[2]/@lineNumber"


def test_every_problem_is_reported_not_only_the_first():
    body = order_request(
        item_out("1", quantity="0")
        + item_out("1", price="abc")
        + item_out("2", quantity="x", currency="USD", sku="")
        + item_out("3", transfer_id="TR-A")
        + item_out("4", transfer_id="TR-B"),
        header_attributes='type="rush"',
    )
    assert codes_and_lines(body) == {
        ("missing_order_id", None),
        ("unknown_type", None),
        ("not_positive", "1"),
        ("duplicate_line_number", "1"),
        ("invalid_price", "1"),
        ("invalid_quantity", "2"),
        ("missing_sku", "2"),
        ("currency_mismatch", "2"),
    }
    message = str(refusal(body))
    assert "(line 2)" in message
    assert "'x' is not a decimal number" in message


PUNCHOUT_SETUP_REQUEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="setup-1@buyer.example" timestamp="2024-05-01T10:00:00Z">
  <Header>
    <From><Credential domain="DUNS"><Identity>1</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>2</Identity></Credential></To>
    <Sender><Credential domain="DUNS"><Identity>1</Identity>
      <SharedSecret>s</SharedSecret></Credential><UserAgent>x</UserAgent></Sender>
  </Header>
  <Request>
    <PunchOutSetupRequest operation="create">
      <BuyerCookie>abc</BuyerCookie>
      <BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
    </PunchOutSetupRequest>
  </Request>
</cXML>"""


def test_a_punchout_setup_request_is_not_an_order_request():
    error = refusal(PUNCHOUT_SETUP_REQUEST)
    (problem,) = error.problems
    assert problem.code == "not_an_order_request"
    assert "PunchOutSetupRequest" in problem.message
    assert error.envelope is not None
    assert error.envelope.payload_id == "setup-1@buyer.example"


def test_a_cxml_response_is_not_an_order_request():
    error = refusal(build_response("r@shop", STATUS_OK, "OK"))
    assert [problem.code for problem in error.problems] == ["not_an_order_request"]
    assert "Response" in error.problems[0].message


def test_other_xml_is_not_an_order_request():
    body = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
    error = refusal(body)
    assert [problem.code for problem in error.problems] == ["not_an_order_request"]
    assert error.envelope is None


# ----------------------------------------------------------- hostile input
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<cXML payloadID="&secret;" timestamp="2024-01-01"><Header/></cXML>"""

XXE_AFTER_STANDARD_SYSTEM_ID = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd" [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<cXML payloadID="&secret;" timestamp="2024-01-01"><Header/></cXML>"""

OTHER_SYSTEM_ID = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://attacker.example/cXML.dtd">
<cXML payloadID="x" timestamp="2024-01-01"><Header/></cXML>"""

LOOKALIKE_SYSTEM_ID = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org.attacker.example/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="x" timestamp="2024-01-01"><Header/></cXML>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<cXML payloadID="&lol4;" timestamp="2024-01-01"/>"""


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(XXE, id="external entity"),
        pytest.param(XXE_AFTER_STANDARD_SYSTEM_ID, id="standard id with subset"),
        pytest.param(OTHER_SYSTEM_ID, id="other DTD"),
        pytest.param(LOOKALIKE_SYSTEM_ID, id="look-alike DTD host"),
        pytest.param(BILLION_LAUGHS, id="billion laughs"),
        pytest.param(b"payloadID=1&orderID=2", id="not XML"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<cXML><Header></cXML>", id="not well-formed"),
        pytest.param(
            order_request(item_out(sku="A" * (DEFAULT_MAX_BYTES + 1))),
            id="oversize",
        ),
    ],
)
def test_hostile_input_raises_unsafe_xml_error(body):
    with pytest.raises(UnsafeXMLError):
        read_order_request(body)


# ----------------------------------------------------------- the response
def safe_parse(document: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False
    )
    return etree.fromstring(document, parser)


def test_status_constants():
    assert (
        STATUS_OK,
        STATUS_ACCEPTED,
        STATUS_BAD_REQUEST,
        STATUS_UNAUTHORIZED,
        STATUS_NOT_ACCEPTABLE,
        STATUS_CONFLICT,
        STATUS_INTERNAL_SERVER_ERROR,
    ) == (200, 201, 400, 401, 406, 409, 500)
    assert STATUS_TEXTS[STATUS_UNAUTHORIZED] == "Unauthorized"
    assert len(STATUS_TEXTS) == 7


def test_response_reads_back():
    document = build_response("resp-1@shop.example", STATUS_ACCEPTED, "Accepted")
    assert document.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + STANDARD_DOCTYPE.encode()
    )
    root = safe_parse(document)
    assert root.getroottree().docinfo.system_url == CXML_DTD_URL
    assert root.getroottree().docinfo.encoding == "UTF-8"
    assert root.tag == "cXML"
    assert root.get("payloadID") == "resp-1@shop.example"
    sent = datetime.fromisoformat(root.get("timestamp"))
    assert abs(datetime.now(UTC) - sent) < timedelta(minutes=1)
    (status,) = root.findall("Response/Status")
    assert status.get("code") == "201"
    assert status.get("text") == "Accepted"
    assert status.text == "Accepted"


def test_response_escapes_markup_in_text():
    hostile = 'PO <4500> & "quoted" </Status><Status code="200">'
    root = safe_parse(build_response("p@shop", STATUS_BAD_REQUEST, hostile))
    (status,) = root.iter("Status")
    assert status.get("code") == "400"
    assert status.get("text") == hostile
    assert status.text == hostile


def test_response_message_is_the_element_text():
    root = safe_parse(
        build_response(
            "p@shop",
            STATUS_BAD_REQUEST,
            "Bad Request",
            message="quantity (line 2): 'x' is not a decimal number",
        )
    )
    (status,) = root.iter("Status")
    assert status.get("text") == "Bad Request"
    assert status.text == "quantity (line 2): 'x' is not a decimal number"


def test_response_gets_a_fresh_payload_id_when_none_is_given():
    first = safe_parse(build_response("", STATUS_OK, "OK")).get("payloadID")
    second = safe_parse(build_response("  ", STATUS_OK, "OK")).get("payloadID")
    assert first != second
    assert re.fullmatch(r"\d{14}\.[0-9a-f]{16}@saleor-oci-plugin", first)
    assert new_payload_id("shop.example").endswith("@shop.example")


def test_in_reply_to_is_a_comment_that_cannot_break_out():
    hostile = "req--1-->\n<Evil/><!--"
    root = safe_parse(build_response("p@shop", STATUS_OK, "OK", in_reply_to=hostile))
    comments = [node for node in root.iter(etree.Comment)]
    (comment,) = comments
    assert "req- -1- ->" in comment.text
    assert root.find(".//Evil") is None
    assert [child.tag for child in root if isinstance(child.tag, str)] == ["Response"]


def test_characters_xml_cannot_carry_are_replaced():
    root = safe_parse(build_response("p@shop", STATUS_BAD_REQUEST, "a\x00b\x1fc"))
    assert root.find("Response/Status").text == "a\ufffdb\ufffdc"


@pytest.mark.parametrize("code", [0, 99, 1000, -200])
def test_response_refuses_a_code_that_is_not_three_digits(code):
    with pytest.raises(ValueError, match="three digits"):
        build_response("p@shop", code, "x")


# ----------------------------------------------------------- round trip
XML_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp")
    ),
    max_size=12,
).map(str.strip)
NON_EMPTY_TEXT = XML_TEXT.filter(bool)
DATES = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
ADDRESSES = st.none() | st.builds(
    lambda street, street2, **fields: PostalAddress(
        street=street, street2=street2 if street else "", **fields
    ),
    street=XML_TEXT,
    street2=XML_TEXT,
    name=XML_TEXT,
    company=XML_TEXT,
    city=XML_TEXT,
    postcode=XML_TEXT,
    country=st.sampled_from(["", "NL", "BE", "DE"]),
    country_area=XML_TEXT,
    phone=XML_TEXT,
    email=XML_TEXT,
    reference=XML_TEXT,
)


@st.composite
def purchase_orders(draw: st.DrawFn) -> PurchaseOrder:
    currency = draw(st.sampled_from(["EUR", "USD", "GBP"]))
    transfer_id = draw(NON_EMPTY_TEXT)
    lines = draw(
        st.lists(
            st.builds(
                PurchaseOrderLine,
                line_number=NON_EMPTY_TEXT,
                sku=NON_EMPTY_TEXT,
                quantity=st.decimals(
                    min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3
                ),
                unit=XML_TEXT,
                unit_price=st.none()
                | st.decimals(
                    min_value=Decimal(-1000), max_value=Decimal(10**5), places=2
                ),
                description=XML_TEXT,
                nzi_code=XML_TEXT.map(lambda code: code[:10].strip()),
                cost_centre=XML_TEXT,
                requested_delivery_date=DATES,
                transfer_id=st.sampled_from(["", transfer_id]),
                note=XML_TEXT,
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda line: line.line_number,
        )
    )
    cost_centres = {line.cost_centre for line in lines}
    return PurchaseOrder(
        order_number=draw(NON_EMPTY_TEXT),
        lines=tuple(lines),
        currency=currency,
        kind=draw(st.sampled_from(OrderKind)),
        order_date=draw(DATES),
        # The rules the reader derives these by (module docstring).
        transfer_id=transfer_id if any(line.transfer_id for line in lines) else "",
        cost_centre=cost_centres.pop() if len(cost_centres) == 1 else "",
        delivery_address=draw(ADDRESSES),
        billing_address=draw(ADDRESSES),
        requested_delivery_date=draw(DATES),
        note=draw(XML_TEXT),
        total=draw(st.decimals(min_value=0, max_value=Decimal(10**7), places=2)),
        extra=draw(st.dictionaries(NON_EMPTY_TEXT, XML_TEXT, max_size=3)),
    )


def _element(parent: etree._Element, tag: str, text: str = "", **attributes: str):
    element = etree.SubElement(parent, tag, attributes)
    if text:
        element.text = text
    return element


def _write_address(parent: etree._Element, tag: str, address: PostalAddress) -> None:
    element = _element(_element(parent, tag), "Address")
    if address.reference:
        element.set("addressID", address.reference)
    _element(element, "Name", address.company)
    postal = _element(element, "PostalAddress")
    for tag_name, value in [
        ("DeliverTo", address.name),
        ("Street", address.street),
        ("Street", address.street2),
        ("City", address.city),
        ("State", address.country_area),
        ("PostalCode", address.postcode),
    ]:
        if value:
            _element(postal, tag_name, value)
    if address.country:
        _element(postal, "Country", "x", isoCountryCode=address.country)
    if address.email:
        _element(element, "Email", address.email)
    if address.phone:
        _element(
            _element(_element(element, "Phone"), "TelephoneNumber"),
            "Number",
            address.phone,
        )


def write_order_request(order: PurchaseOrder) -> bytes:
    """A test-only cXML OrderRequest writer (the plugin only reads them)."""
    root = etree.Element(
        "cXML", payloadID="round@trip", timestamp="2024-01-01T00:00:00+00:00"
    )
    header = _element(root, "Header")
    sender = _element(_element(header, "Sender"), "Credential", domain="NetworkID")
    _element(sender, "Identity", "AN01")
    _element(sender, "SharedSecret", "s")
    order_request_element = _element(
        _element(root, "Request", deploymentMode="test"), "OrderRequest"
    )
    order_header = _element(
        order_request_element,
        "OrderRequestHeader",
        orderID=order.order_number,
        type=order.kind.value,
    )
    if order.order_date:
        order_header.set("orderDate", f"{order.order_date}T09:30:00+01:00")
    if order.requested_delivery_date:
        order_header.set("requestedDeliveryDate", str(order.requested_delivery_date))
    assert order.total is not None
    _element(
        _element(order_header, "Total"),
        "Money",
        format(order.total, "f"),
        currency=order.currency,
    )
    if order.delivery_address:
        _write_address(order_header, "ShipTo", order.delivery_address)
    if order.billing_address:
        _write_address(order_header, "BillTo", order.billing_address)
    if order.note:
        _element(order_header, "Comments", order.note)
    for name, value in order.extra.items():
        _element(order_header, "Extrinsic", value, name=name)
    for line in order.lines:
        item = _element(
            order_request_element,
            "ItemOut",
            quantity=format(line.quantity, "f"),
            lineNumber=line.line_number,
        )
        if line.requested_delivery_date:
            item.set("requestedDeliveryDate", f"{line.requested_delivery_date}")
        item_id = _element(item, "ItemID")
        _element(item_id, "SupplierPartID", line.sku)
        if line.transfer_id:
            _element(item_id, "SupplierPartAuxiliaryID", line.transfer_id)
        detail = _element(item, "ItemDetail")
        if line.unit_price is not None:
            _element(
                _element(detail, "UnitPrice"),
                "Money",
                format(line.unit_price, "f"),
                currency=order.currency,
            )
        _element(detail, "Description", line.description)
        if line.unit:
            _element(detail, "UnitOfMeasure", line.unit)
        _element(detail, "Classification", "50000000", domain="UNSPSC")
        if line.nzi_code:
            _element(detail, "Classification", line.nzi_code, domain="NZI")
        if line.cost_centre:
            accounting = _element(
                _element(item, "Distribution"), "Accounting", name="x"
            )
            segment = _element(accounting, "AccountingSegment", id=line.cost_centre)
            _element(segment, "Name", "Cost Center")
        if line.note:
            _element(item, "Comments", line.note)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(purchase_orders())
def test_a_written_purchase_order_reads_back_equal(order):
    read = read_order_request(write_order_request(order))
    assert read.purchase_order == order
    assert read.payload_id == "round@trip"
    assert read.deployment_mode == "test"
