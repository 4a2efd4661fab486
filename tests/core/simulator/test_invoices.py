"""The invoice page and the invoices' documents, against stand-in shops: one without
ociInvoices, one with today's OciInvoice, an older one with fewer fields."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from saleor_oci_plugin.simulator import Settings, SimulatorApp
from saleor_oci_plugin.simulator.invoices import read_ubl_references

from .helpers import call, table, texts

MISSING = {
    "errors": [
        {
            "message": 'Cannot query field "ociInvoices" on type "Query".',
            "locations": [{"line": 1, "column": 25}],
        }
    ]
}
SI_UBL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
COLUMNS = [
    "Number",
    "Kind",
    "Issue date",
    "PO number",
    "Buyer reference",
    "Period",
    "Amount",
    "Validation",
    "Delivery",
    "Documents",
]
OPAQUE_IDS = ("T2NpSW52b2ljZTox", "T3JkZXI6MQ==", "SW52b2ljZTo0", "T2NpQ29ubjox")
HTML_RENDERING = (
    "<!DOCTYPE html><html><head><style>h1 { color: red }</style></head><body>"
    "<h1>Invoice F2026-0001</h1><script>alert(1)</script></body></html>"
)


def scalar(name: str, type_name: str = "String", required: bool = True) -> dict:
    named = {"kind": "SCALAR", "name": type_name, "ofType": None}
    wrapped = {"kind": "NON_NULL", "name": None, "ofType": named}
    return {"name": name, "args": [], "type": wrapped if required else named}


def id_list(name: str) -> dict:
    item = {
        "kind": "NON_NULL",
        "name": None,
        "ofType": {"kind": "SCALAR", "name": "ID", "ofType": None},
    }
    listed = {"kind": "LIST", "name": None, "ofType": item}
    return {
        "name": name,
        "args": [],
        "type": {"kind": "NON_NULL", "name": None, "ofType": listed},
    }


# The shape of the shop's OciInvoice (saleor_oci_plugin/graphql/invoices.py), and a
# field a newer shop may add.
INVOICE_FIELDS = [
    scalar("id", "ID"),
    scalar("createdAt", "DateTime"),
    scalar("number"),
    scalar("kind"),
    scalar("issueDate", "Date"),
    scalar("currency"),
    scalar("payableAmount", "Decimal"),
    scalar("orderId", "ID", required=False),
    scalar("invoiceId", "ID", required=False),
    scalar("connectionId", "ID", required=False),
    scalar("customization"),
    scalar("validationResult", "JSONString"),
    scalar("xml"),
    scalar("html"),
    scalar("url", required=False),
    id_list("orderIds"),
    scalar("periodStart", "Date", required=False),
    scalar("periodEnd", "Date", required=False),
    scalar("runId", "ID", required=False),
    scalar("sentAt", "DateTime", required=False),
    scalar("sentTo"),
    scalar("deliveryError", required=False),
    scalar("peppolMessageId", required=False),
    # A field the simulator cannot ask for without an argument it does not know.
    {
        "name": "lines",
        "args": [{"defaultValue": None, "type": {"kind": "NON_NULL"}}],
        "type": {
            "kind": "LIST",
            "name": None,
            "ofType": {"kind": "SCALAR", "name": "String", "ofType": None},
        },
    },
]
UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>{number}</cbc:ID>
  <cbc:BuyerReference>{buyer}</cbc:BuyerReference>
  {order_reference}
</Invoice>"""
WARNING = {
    "rule_id": "UBL-CR-528",
    "flag": "warning",
    "location": "/Invoice",
    "message": "should not include OrderLineReference",
    "source": "EN16931-UBL-validation.xslt",
}


def ubl(number: str, po_number: str, buyer: str = "KP-4711") -> str:
    reference = (
        f"<cac:OrderReference><cbc:ID>{po_number}</cbc:ID></cac:OrderReference>"
        if po_number
        else ""
    )
    return UBL.format(number=number, buyer=buyer, order_reference=reference)


def app_for(url: str) -> SimulatorApp:
    return SimulatorApp(Settings(shop_url=url, app_token="app-token"))


def invoice_rows() -> list[dict]:
    """Today's shop: an invoice e-mailed, a periodic one that could not be, and a
    credit note not sent yet."""
    return [
        {
            "id": "T2NpSW52b2ljZTox",
            "createdAt": "2026-11-28T10:00:00+00:00",
            "number": "F2026-0001",
            "kind": "invoice",
            "issueDate": "2026-11-28",
            "currency": "EUR",
            "payableAmount": 93.6,
            "orderId": "T3JkZXI6MQ==",
            "invoiceId": "SW52b2ljZTo0",
            "connectionId": "T2NpQ29ubjox",
            "customization": SI_UBL,
            "validationResult": json.dumps(
                {
                    "valid": True,
                    "rule_sets": [
                        "EN16931-UBL-validation.xslt",
                        "/srv/rules/SI-UBL-2.0.xslt",
                    ],
                    "failures": [WARNING],
                }
            ),
            "xml": ubl("F2026-0001", "4512345678"),
            "url": "https://shop.example/media/invoices/F2026-0001.xml",
            "orderIds": ["T3JkZXI6MQ=="],
            "periodStart": None,
            "periodEnd": None,
            "runId": None,
            "sentAt": "2026-11-28T10:01:30.5+01:00",
            "sentTo": "crediteuren@ziekenhuis.example",
            "deliveryError": "",
            "peppolMessageId": "opaque-future-value",
        },
        {
            "id": "T2NpSW52b2ljZToy",
            "createdAt": "2026-12-01T03:00:00+00:00",
            "number": "F2026-0002",
            "kind": "invoice",
            "issueDate": "2026-12-01",
            "currency": "EUR",
            "payableAmount": "1210",
            "orderId": None,
            "invoiceId": None,
            "connectionId": None,
            "customization": PEPPOL,
            "validationResult": json.dumps(
                {"valid": True, "rule_sets": ["EN16931-UBL-validation.xslt"]}
            ),
            "xml": ubl("F2026-0002", "", buyer="KP-9"),
            "url": None,
            "orderIds": ["T3JkZXI6Mg==", "T3JkZXI6Mw=="],
            "periodStart": "2026-11-01",
            "periodEnd": "2026-11-30",
            "runId": "T2NpSW52b2ljZVJ1bjox",
            "sentAt": None,
            "sentTo": "",
            "deliveryError": "No invoice e-mail address for Locatie Noord.",
            "peppolMessageId": None,
        },
        {
            "id": "T2NpSW52b2ljZToz",
            "createdAt": "2026-12-02T09:00:00+00:00",
            "number": "C2026-0001",
            "kind": "credit_note",
            "issueDate": "2026-12-02",
            "currency": "EUR",
            "payableAmount": "-12.10",
            "orderId": "T3JkZXI6MQ==",
            "invoiceId": None,
            "connectionId": None,
            "customization": "urn:cen.eu:en16931:2017#conformant#urn:example:x",
            "validationResult": "checked by hand",
            "xml": ubl("C2026-0001", "4512345678"),
            "url": "javascript:alert(1)",
            "orderIds": [],
            "periodStart": None,
            "periodEnd": None,
            "runId": None,
            "sentAt": None,
            "sentTo": "",
            "deliveryError": "",
            "peppolMessageId": None,
        },
    ]


def graphql_shop(fields: list[dict], rows: list[dict], **documents: str):
    """A shop answering the probe, the introspection and the invoice query with
    ``rows`` (each cut to the fields asked); ``documents`` by field name."""

    def answer(request) -> tuple[int, str, bytes]:
        query = request.json["query"]
        if "OciInvoicesProbe" in query:
            data: dict = {"ociInvoices": [{"__typename": "OciInvoice"}] * len(rows)}
        elif "OciInvoiceTypes" in query:
            assert query.count("__type(") == 1
            data = {"t0": {"fields": fields}}
        else:
            selection = query.split("ociInvoices {", 1)[1].split("}", 1)[0].split()
            names = {field["name"] for field in fields}
            assert set(selection) <= names, selection
            data = {
                "ociInvoices": [
                    {
                        name: documents.get(name, row.get(name))
                        if name == "html"
                        else row.get(name)
                        for name in selection
                    }
                    for row in rows
                ]
            }
        return 200, "application/json", json.dumps({"data": data}).encode()

    return answer


def get_link(app: SimulatorApp, href: str):
    url = urlsplit(href)
    assert (url.scheme, url.netloc) == ("", ""), href  # the simulator's own route
    return call(app, "GET", url.path, query=url.query)


def test_a_shop_without_invoices_says_so(stub_shop):
    stub_shop.answer_json(MISSING, status=400)

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    assert page.status == 200
    assert "The shop does not offer invoices yet." in texts(page.document)
    assert not page.document.xpath("//table")
    (request,) = stub_shop.requests
    assert "ociInvoices" in request.json["query"]


def test_invoices_are_shown_readably(stub_shop):
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, invoice_rows())

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    rows = table(page.document, "Invoices")
    assert list(rows[0]) == COLUMNS
    first, periodic, credit_note = rows
    assert first == {
        "Number": "F2026-0001",
        "Kind": "InvoiceSI-UBL 2.0",
        "Issue date": "2026-11-28",
        "PO number": "4512345678",
        "Buyer reference": "KP-4711",
        "Period": "",
        "Amount": "93.60 EUR",
        "Validation": "valid"
        "EN16931-UBL-validation.xslt, SI-UBL-2.0.xslt"
        "1 warning"
        "UBL-CR-528: should not include OrderLineReference",
        "Delivery": "e-mailed to crediteuren@ziekenhuis.example2026-11-28 09:01 UTC",
        "Documents": "UBL XMLHTMLSaleor file",
    }
    assert periodic["Kind"] == "InvoicePeppol BIS 3"
    assert periodic["Period"] == "2026-11-01 \N{EN DASH} 2026-11-30"
    assert periodic["Amount"] == "1210.00 EUR"
    assert periodic["Validation"] == "validEN16931-UBL-validation.xsltno warnings"
    assert periodic["Delivery"] == (
        "not e-mailed: No invoice e-mail address for Locatie Noord."
    )
    assert periodic["Documents"] == "UBL XMLHTML"
    assert credit_note["Kind"] == "Credit noteurn:example:x"
    assert credit_note["Amount"] == "-12.10 EUR"
    assert credit_note["Validation"] == "checked by hand"
    assert credit_note["Delivery"] == "not e-mailed yet"
    # A URL that is not http(s) is no link.
    assert credit_note["Documents"] == "UBL XMLHTML"
    assert not page.document.xpath('//a[starts-with(@href, "javascript")]')
    saleor_file = page.document.xpath('//a[.="Saleor file"]/@href')
    assert saleor_file == ["https://shop.example/media/invoices/F2026-0001.xml"]


def test_opaque_ids_and_unknown_fields_are_not_shown(stub_shop):
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, invoice_rows())

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    text = texts(page.document)
    for opaque in (*OPAQUE_IDS, "opaque-future-value", SI_UBL, PEPPOL):
        assert opaque not in text
    # The fields a newer shop added are named, not shown.
    (details,) = page.document.xpath("//details[summary[contains(., 'not show')]]")
    assert "peppolMessageId" in details.text_content()
    assert "orderId" not in details.text_content()
    final_query = stub_shop.requests[-1].json["query"]
    for not_asked in (
        "orderId",
        "orderIds",
        "invoiceId",
        "connectionId",
        "runId",
        "createdAt",
        "html",
        "peppolMessageId",
        "lines",  # it needs an argument the simulator does not know
    ):
        assert not_asked not in final_query.split(), not_asked
    assert "xml" in final_query.split()  # read for the PO number
    assert all(
        request.headers["Authorization"] == "Bearer app-token"
        for request in stub_shop.requests
    )


def test_the_period_column_only_when_an_invoice_has_one(stub_shop):
    rows = [row for row in invoice_rows() if not row["periodStart"]]
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, rows)

    shown = table(call(app_for(stub_shop.url), "GET", "/invoices").document, "Invoices")

    assert "Period" not in shown[0]


def test_a_shop_with_fewer_fields(stub_shop):
    """An older shop: no id (its documents are found by number), no delivery, no
    period, no rendering."""
    older = ("number", "kind", "issueDate", "payableAmount", "xml", "validationResult")
    fields = [field for field in INVOICE_FIELDS if field["name"] in older]
    stub_shop.answer = graphql_shop(fields, invoice_rows()[:1])

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    (row,) = table(page.document, "Invoices")
    assert row == {
        "Number": "F2026-0001",
        "Kind": "Invoice",
        "Issue date": "2026-11-28",
        "PO number": "4512345678",
        "Buyer reference": "KP-4711",
        "Amount": "93.60",
        "Validation": "valid"
        "EN16931-UBL-validation.xslt, SI-UBL-2.0.xslt"
        "1 warning"
        "UBL-CR-528: should not include OrderLineReference",
        "Documents": "UBL XML",
    }
    (href,) = page.document.xpath('//a[.="UBL XML"]/@href')
    assert href == "/invoices/xml?number=F2026-0001"
    document = get_link(app_for(stub_shop.url), href)
    assert document.status == 200
    assert document.text == ubl("F2026-0001", "4512345678")
    assert "number xml" in stub_shop.requests[-1].json["query"]


def test_a_shop_with_none_of_the_fields_shown(stub_shop):
    fields = [scalar("id", "ID"), scalar("reference")]
    stub_shop.answer = graphql_shop(fields, [{"id": "SW52OjE=", "reference": "x"}])

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    text = texts(page.document)
    assert "The type OciInvoice has none of the fields the simulator shows" in text
    assert not page.document.xpath("//table")
    assert "reference" in text  # named among the fields not shown
    assert len(stub_shop.requests) == 2  # no query for the invoices themselves


def test_the_ubl_document_is_served_as_xml(stub_shop):
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, invoice_rows())
    app = app_for(stub_shop.url)
    page = call(app, "GET", "/invoices")
    (href,) = page.document.xpath('//tr[td[.="F2026-0002"]]//a[.="UBL XML"]/@href')
    assert href.startswith("/invoices/xml?")

    document = get_link(app, href)

    assert document.status == 200
    assert document.header("Content-Type") == "application/xml; charset=utf-8"
    assert document.header("Content-Security-Policy").startswith("sandbox;")
    assert document.text == ubl("F2026-0002", "", buyer="KP-9")
    query = stub_shop.requests[-1].json["query"]
    assert query == "query OciInvoiceDocument { ociInvoices { id xml } }"


def test_the_rendering_is_served_as_its_own_page(stub_shop):
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, invoice_rows(), html=HTML_RENDERING)
    app = app_for(stub_shop.url)
    page = call(app, "GET", "/invoices")
    # The shop's HTML is not in the simulator's page, only a link to it.
    assert "alert(1)" not in page.text
    (href,) = page.document.xpath('//tr[td[.="F2026-0001"]]//a[.="HTML"]/@href')
    assert parse_qs(urlsplit(href).query) == {"id": ["T2NpSW52b2ljZTox"]}

    document = get_link(app, href)

    assert document.status == 200
    assert document.header("Content-Type") == "text/html; charset=utf-8"
    assert document.text == HTML_RENDERING  # served as the shop made it ...
    # ... in a sandbox of its own, without scripts.
    policies = [
        value for name, value in document.headers if name == "Content-Security-Policy"
    ]
    assert len(policies) == 2
    assert all("default-src 'none'" in policy for policy in policies)
    assert not any("script-src" in policy for policy in policies)
    assert policies[0].startswith("sandbox;")
    assert document.header("X-Content-Type-Options") == "nosniff"


def test_values_are_escaped(stub_shop):
    rows = invoice_rows()[:1]
    rows[0]["id"] = 'a&b"<c>'
    rows[0]["number"] = "<b>F1</b>"
    rows[0]["sentTo"] = '"><script>alert(2)</script>'
    rows[0]["url"] = 'https://shop.example/x"onmouseover="alert(3)'
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, rows, html=HTML_RENDERING)
    app = app_for(stub_shop.url)

    page = call(app, "GET", "/invoices")

    assert "<script>" not in page.text
    assert "<b>F1</b>" not in page.text
    assert not page.document.xpath("//*[@onmouseover]")
    (row,) = table(page.document, "Invoices")
    assert row["Number"] == "<b>F1</b>"
    assert row["Delivery"].startswith('e-mailed to "><script>alert(2)</script>')
    (href,) = page.document.xpath('//a[.="HTML"]/@href')
    assert href == "/invoices/html?id=a%26b%22%3Cc%3E"
    assert get_link(app, href).text == HTML_RENDERING


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("id=T2NpSW52b2ljZTo5OQ==", 404, "no longer lists the invoice"),
        ("", 400, "from the invoices page"),
    ],
)
def test_a_document_not_found(stub_shop, query, status, message):
    stub_shop.answer = graphql_shop(INVOICE_FIELDS, invoice_rows())

    document = call(app_for(stub_shop.url), "GET", "/invoices/xml", query=query)

    assert document.status == status
    assert document.header("Content-Type").startswith("text/html")
    assert message in texts(document.document)


def test_a_document_the_shop_refuses(stub_shop):
    stub_shop.answer_json(
        {"errors": [{"message": 'Cannot query field "html" on type "OciInvoice".'}]},
        status=400,
    )

    document = call(
        app_for(stub_shop.url), "GET", "/invoices/html", query="id=T2NpSW52b2ljZTox"
    )

    assert document.status == 502
    assert 'Cannot query field "html"' in texts(document.document)


def test_a_field_refused_still_shows_the_invoices(stub_shop):
    """An App without MANAGE_ORDERS may not read deliveryError: the rest shows."""
    shop = graphql_shop(INVOICE_FIELDS, invoice_rows()[:1])
    refusal = "You need one of the following permissions: MANAGE_ORDERS"

    def answer(request):
        status, content_type, body = shop(request)
        document = json.loads(body)
        if "OciInvoices {" in request.json["query"]:
            document["data"]["ociInvoices"][0]["deliveryError"] = None
            document["errors"] = [{"message": refusal, "path": ["deliveryError"]}]
        return status, content_type, json.dumps(document).encode()

    stub_shop.answer = answer

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    (row,) = table(page.document, "Invoices")
    assert row["Number"] == "F2026-0001"
    assert refusal in texts(page.document)


def test_a_shop_with_no_invoices_yet(stub_shop):
    stub_shop.answer_json({"data": {"ociInvoices": []}})

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    assert "The shop has no invoices yet." in texts(page.document)
    assert len(stub_shop.requests) == 1


@pytest.mark.parametrize(
    "message",
    [
        "You need one of the following permissions: MANAGE_ORDERS",
        'Field "ociInvoices" argument "channel" of type "String!" is required',
    ],
)
def test_other_graphql_errors_are_shown(stub_shop, message):
    stub_shop.answer_json({"errors": [{"message": message}], "data": None})

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    text = texts(page.document)
    assert message in text
    assert "does not offer invoices yet" not in text


def test_unreachable_shop(closed_port):
    page = call(app_for(f"http://127.0.0.1:{closed_port}"), "GET", "/invoices")

    assert page.status == 200
    assert "could not be reached" in texts(page.document)


def test_ubl_references_of_a_document_that_is_not_xml():
    assert read_ubl_references("<Invoice") == ("", "")
    assert read_ubl_references("") == ("", "")
    assert read_ubl_references(ubl("F1", "4500000009")) == ("4500000009", "KP-4711")
