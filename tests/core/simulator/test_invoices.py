"""The invoice page: a shop without ociInvoices, and one with it."""

import json

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


def scalar(name: str, type_name: str = "String", required: bool = True) -> dict:
    named = {"kind": "SCALAR", "name": type_name, "ofType": None}
    wrapped = {"kind": "NON_NULL", "name": None, "ofType": named}
    return {"name": name, "args": [], "type": wrapped if required else named}


# The shape of the shop's OciInvoice (saleor_oci_plugin/graphql/invoices.py).
INVOICE_FIELDS = [
    scalar("id", "ID"),
    scalar("createdAt", "DateTime"),
    scalar("number"),
    scalar("kind"),
    scalar("issueDate", "Date"),
    scalar("currency"),
    scalar("payableAmount", "Decimal"),
    scalar("orderId", "ID", required=False),
    scalar("customization"),
    scalar("validationResult", "JSONString"),
    scalar("xml"),
    scalar("html"),
    scalar("url", required=False),
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


def ubl(number: str, po_number: str, buyer: str = "KP-4711") -> str:
    reference = (
        f"<cac:OrderReference><cbc:ID>{po_number}</cbc:ID></cac:OrderReference>"
        if po_number
        else ""
    )
    return UBL.format(number=number, buyer=buyer, order_reference=reference)


def app_for(url: str) -> SimulatorApp:
    return SimulatorApp(Settings(shop_url=url, app_token="app-token"))


def test_a_shop_without_invoices_says_so(stub_shop):
    stub_shop.answer_json(MISSING, status=400)

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    assert page.status == 200
    assert "The shop does not offer invoices yet." in texts(page.document)
    assert not page.document.xpath("//table")
    (request,) = stub_shop.requests
    assert "ociInvoices" in request.json["query"]


def invoice_shop(query: str) -> dict:
    if "OciInvoicesProbe" in query:
        return {"data": {"ociInvoices": [{"__typename": "OciInvoice"}] * 2}}
    if "OciInvoiceTypes" in query:
        assert query.count("__type(") == 1
        return {"data": {"t0": {"fields": INVOICE_FIELDS}}}
    valid = {
        "valid": True,
        "rule_sets": ["EN16931-UBL-validation.xslt"],
        "failures": [
            {
                "rule_id": "UBL-CR-528",
                "flag": "warning",
                "location": "/Invoice",
                "message": "should not include OrderLineReference",
                "source": "EN16931-UBL-validation.xslt",
            }
        ],
    }
    return {
        "data": {
            "ociInvoices": [
                {
                    "id": "T2NpSW52b2ljZTox",
                    "createdAt": "2026-11-28T10:00:00+00:00",
                    "number": "F2026-0001",
                    "kind": "invoice",
                    "issueDate": "2026-11-28",
                    "currency": "EUR",
                    "payableAmount": 93.6,
                    "orderId": "T3JkZXI6MQ==",
                    "customization": "urn:cen.eu:en16931:2017",
                    "validationResult": json.dumps(valid),
                    "xml": ubl("F2026-0001", "4512345678"),
                    "url": None,
                },
                {
                    "id": "T2NpSW52b2ljZToy",
                    "createdAt": "2026-11-28T10:05:00+00:00",
                    "number": "F2026-0002",
                    "kind": "invoice",
                    "issueDate": "2026-11-28",
                    "currency": "EUR",
                    "payableAmount": 12.1,
                    "orderId": None,
                    "customization": "urn:cen.eu:en16931:2017",
                    "validationResult": json.dumps({"valid": True, "failures": []}),
                    "xml": ubl("F2026-0002", "", buyer="KP-9"),
                    "url": None,
                },
            ]
        }
    }


def test_invoices_show_number_po_number_and_validation(stub_shop):
    stub_shop.answer = lambda request: (
        200,
        "application/json",
        json.dumps(invoice_shop(request.json["query"])).encode(),
    )

    page = call(app_for(stub_shop.url), "GET", "/invoices")

    rows = table(page.document, "Invoices")
    columns = list(rows[0])
    assert columns[:4] == [
        "number",
        "PO number (UBL OrderReference)",
        "Buyer reference (UBL)",
        "validationResult",
    ]
    # Opaque ids last; whole documents never in a cell.
    assert columns[-2:] == ["id", "orderId"]
    assert "xml" not in columns
    assert "html" not in columns
    assert [
        (
            row["number"],
            row["PO number (UBL OrderReference)"],
            row["Buyer reference (UBL)"],
        )
        for row in rows
    ] == [("F2026-0001", "4512345678", "KP-4711"), ("F2026-0002", "", "KP-9")]
    assert rows[0]["validationResult"] == (
        "valid\nUBL-CR-528 (warning): should not include OrderLineReference\n"
        "checked with EN16931-UBL-validation.xslt"
    )
    assert rows[1]["validationResult"] == "valid"
    assert rows[0]["payableAmount"] == "93.6"
    final_query = stub_shop.requests[-1].json["query"]
    assert " xml" in final_query  # read for the PO number ...
    assert "html" not in final_query  # ... the rendering is not needed
    # A field with a required argument cannot be asked without one.
    assert "lines" not in final_query
    assert all(
        request.headers["Authorization"] == "Bearer app-token"
        for request in stub_shop.requests
    )


def test_nested_objects_are_asked_one_level_deep(stub_shop):
    validation_type = {"kind": "OBJECT", "name": "OciValidation", "ofType": None}
    invoice_fields = [
        scalar("number"),
        scalar("poNumber", required=False),
        {"name": "validation", "args": [], "type": validation_type},
    ]
    validation_fields = [
        scalar("isValid", "Boolean"),
        {
            "name": "errors",
            "args": [],
            "type": {
                "kind": "LIST",
                "name": None,
                "ofType": {"kind": "SCALAR", "name": "String", "ofType": None},
            },
        },
    ]

    def answer(request):
        query = request.json["query"]
        if "OciInvoicesProbe" in query:
            data = {"ociInvoices": [{"__typename": "OciInvoice"}]}
        elif 'name: "OciInvoice"' in query:
            data = {"t0": {"fields": invoice_fields}}
        elif 'name: "OciValidation"' in query:
            data = {"t0": {"fields": validation_fields}}
        else:
            assert "validation { isValid errors }" in query
            data = {
                "ociInvoices": [
                    {
                        "number": "F1",
                        "poNumber": "4500000001",
                        "validation": {"isValid": False, "errors": ["BR-NL-2: no"]},
                    }
                ]
            }
        return 200, "application/json", json.dumps({"data": data}).encode()

    stub_shop.answer = answer

    (row,) = table(
        call(app_for(stub_shop.url), "GET", "/invoices").document, "Invoices"
    )

    assert row == {
        "number": "F1",
        "poNumber": "4500000001",
        "validation": "NOT valid\nBR-NL-2: no",
    }


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
