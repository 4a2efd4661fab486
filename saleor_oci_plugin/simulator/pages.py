"""The simulator's pages: plain server-rendered HTML, every value escaped.

No page has a script: the punch-in form opens the shop in a new window or in the
frame on the start page through its buttons' ``formtarget``, and ``~TARGET`` is a
select of the form itself.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from saleor_oci_plugin.oci import UTF_8, Charset
from saleor_oci_plugin.webapp.html import escape, html_document, page_style

from .invoices import Invoice, InvoiceListing
from .requisitions import (
    LONGTEXT,
    Outcome,
    Requisition,
    ShopAnswer,
    field_value,
    line_total,
    plain_number,
    sku_of,
)
from .settings import Settings

SHOP_FRAME = "oci-shop"
CXML_SETUP_PATH = "/plugins/global/oci.punchout/cxml/setup"
CHARSET_CHOICES = ("UTF-8", "ISO-8859-1")
STANDARD_TARGETS = ("_top", "_blank", "_parent", "_self", SHOP_FRAME)
RECENT_ON_START_PAGE = 5

_STYLE = page_style(
    "72rem",
    """
.text { white-space: pre-wrap; }
/* Long ids and URLs break inside their cell rather than widen the table. */
td.text { overflow-wrap: anywhere; }
.placed, .ok { border-color: #2e8540; }
.duplicate { border-color: #1f6fb2; }
.refused, .failed, .problem { border-color: #c0392b; }
iframe { width: 100%; height: 36rem; border: 1px solid #c9d3da; }
pre { background: #f7f9fa; padding: .6rem; overflow-x: auto; }
/* Invoices: short values on one line, words kept whole; long values (an error,
   an address) wrap, even inside a word. */
table.invoices td { overflow-wrap: break-word; }
table.invoices td.nowrap { white-space: nowrap; }
table.invoices td.long { overflow-wrap: anywhere; }
table.invoices small { color: #4a5a66; }
table.invoices details ul { margin: .2rem 0; padding-left: 1.1rem; }
.valid { color: #2e8540; }
.invalid { color: #c0392b; }
.note { color: #4a5a66; font-size: .9rem; }
""",
)
_NAV = (
    '<nav><a href="/">Punch-in</a><a href="/requisitions">Requisitions</a>'
    '<a href="/invoices">Invoices</a></nav>\n'
)


def layout(title: str, body: str) -> str:
    return html_document(
        title=title, site="OCI simulator", style=_STYLE, nav=_NAV, body=body
    )


def message_page(title: str, message: str, details: Sequence[str] = ()) -> str:
    items = "".join(f"<li>{escape(detail)}</li>" for detail in details)
    return layout(
        title,
        f'<div class="box problem"><p>{escape(message)}</p>'
        + (f"<ul>{items}</ul>" if items else "")
        + "</div>",
    )


# ------------------------------------------------------------------ start page
def punchin_fields(settings: Settings, charset: Charset) -> list[tuple[str, str]]:
    """The punch-in form's hidden fields (``~TARGET`` is the form's select)."""
    hook_url = settings.hook_url
    if charset != UTF_8:
        # The ERP knows which charset it asked for: the hook URL says it.
        hook_url += "?charset=" + quote(charset.name)
    fields = [
        ("USERNAME", settings.login),
        ("PASSWORD", settings.password),
        ("HOOK_URL", hook_url),
        ("~OKCODE", "ADDI"),
        ("~CALLER", "CTLG"),
        ("OCI_VERSION", "4.0"),
    ]
    if charset != UTF_8:
        fields.append(("HTTP_CONTENT_CHARSET", charset.name))
    return fields


def start_page(
    settings: Settings, charset: Charset, recent: Sequence[Requisition]
) -> str:
    fields = punchin_fields(settings, charset)
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields
    )
    targets = list(dict.fromkeys((settings.target, *STANDARD_TARGETS)))
    options = "".join(
        f'<option value="{escape(target)}"'
        + (" selected" if target == settings.target else "")
        + f">{escape(target)}</option>"
        for target in targets
    )
    shown = "".join(
        f"<tr><th>{escape(name)}</th><td>"
        + ("(hidden)" if name == "PASSWORD" and value else escape(value))
        + "</td></tr>"
        for name, value in fields
    )
    charset_links = " · ".join(
        f"<strong>{escape(name)}</strong>"
        if name == charset.name
        else f'<a href="/?charset={escape(quote(name))}">{escape(name)}</a>'
        for name in dict.fromkeys((*CHARSET_CHOICES, charset.name))
    )
    warning = (
        ""
        if settings.login
        else '<div class="box problem"><p>No <code>--login</code> was given: the '
        "shop will refuse the punch-in.</p></div>"
    )
    body = f"""
<p>This page plays the buyer's procurement system (as SAP SRM does) against the shop
at <code>{escape(settings.shop_base)}</code>. The buyer clicks the catalog, shops, and
transfers the cart; it comes back here as a requisition to approve.</p>
{warning}
<h2>Punch-in</h2>
<table><tr><th>Punch-in URL</th><td>{escape(settings.punchin_url)}</td></tr>
{shown}</table>
<p>Charset asked of the shop: {charset_links}</p>
<form method="post" action="{escape(settings.punchin_url)}"
      accept-charset="{escape(charset.name)}" target="_blank">
{hidden}
<p><label>~TARGET (where the shop posts the cart back)
<select name="~TARGET">{options}</select></label></p>
<button type="submit" formtarget="_blank">Open the shop in a new window</button>
<button type="submit" formtarget="{
        SHOP_FRAME
    }">Open the shop in the frame below</button>
</form>
<iframe name="{SHOP_FRAME}" title="The shop" src="about:blank"></iframe>
<h2>cXML punch-out (as Ariba or Coupa)</h2>
<p>Sends a PunchOutSetupRequest to <code>{escape(settings.shop_base)}{
        CXML_SETUP_PATH
    }</code> ({
        _configured(settings.cxml_configured, "--cxml-identity and --cxml-secret")
    })
and opens the start page it answers with; the cart comes back as a
PunchOutOrderMessage.</p>
<form method="post" action="/cxml/punchout" target="_top">
<p><label>User e-mail (UserEmail extrinsic)
<input type="email" name="email" value=""></label></p>
<button type="submit">Punch out with cXML</button>
</form>
<h2>Recent requisitions</h2>
{_requisition_table(recent[:RECENT_ON_START_PAGE])}
<p><a href="/requisitions">All requisitions</a></p>
<h2>Purchase orders back to the shop</h2>
<ul>
<li>GraphQL <code>ociPurchaseOrderCreate</code> at
<code>{escape(settings.graphql_url)}</code>: {
        _configured(settings.graphql_configured, "--app-token and --connection-id")
    }</li>
<li>cXML OrderRequest to <code>{escape(settings.cxml_orders_url)}</code>:
{_configured(settings.cxml_configured, "--cxml-identity and --cxml-secret")}</li>
</ul>
"""
    return layout("Procurement system (OCI simulator)", body)


def _configured(configured: bool, options: str) -> str:
    return "ready" if configured else f"not configured (start with {escape(options)})"


# ---------------------------------------------------------------- requisitions
def requisitions_page(requisitions: Sequence[Requisition]) -> str:
    return layout("Requisitions", _requisition_table(requisitions))


def _requisition_table(requisitions: Sequence[Requisition]) -> str:
    if not requisitions:
        return "<p>No cart has been transferred yet.</p>"
    rows = "".join(
        "<tr>"
        f'<td><a href="/requisitions/{requisition.id}">#{requisition.id}</a></td>'
        f"<td>{_when(requisition)}</td>"
        f'<td class="number">{len(requisition.items)}</td>'
        f'<td class="number">{_totals_text(requisition)}</td>'
        f"<td>{escape(', '.join(filter(None, requisition.transfer_ids)))}</td>"
        f"<td>{escape(requisition.po_number)}</td>"
        f"<td>{escape(_status(requisition))}</td>"
        "</tr>"
        for requisition in requisitions
    )
    return (
        "<table><tr><th>Requisition</th><th>Received</th><th>Lines</th>"
        "<th>Total (net)</th><th>Transfer id</th><th>PO number</th><th>Status</th>"
        f"</tr>{rows}</table>"
    )


def _when(requisition: Requisition) -> str:
    return escape(f"{requisition.received_at:%Y-%m-%d %H:%M:%S} UTC")


def _status(requisition: Requisition) -> str:
    if requisition.problems:
        return "unreadable form"
    if requisition.is_cancelled:
        return "cancelled (empty cart)"
    if not requisition.answers:
        return "awaiting approval"
    answer = requisition.answers[0]
    if answer.outcome in (Outcome.PLACED, Outcome.DUPLICATE):
        return f"ordered: shop order {answer.order_number}"
    return f"last sending {answer.outcome.value}"


def _totals_text(requisition: Requisition) -> str:
    return "<br>".join(
        escape(f"{amount:.2f} {currency}")
        for currency, amount in requisition.totals().items()
    )


def requisition_page(
    requisition: Requisition, settings: Settings, form_token: str
) -> str:
    transfer = ", ".join(filter(None, requisition.transfer_ids)) or "(none)"
    summary = (
        "<table>"
        f"<tr><th>Received</th><td>{_when(requisition)}</td></tr>"
        f"<tr><th>Charset read</th><td>{escape(requisition.charset)}</td></tr>"
        f"<tr><th>Transfer id (EXT_QUOTE_ID)</th><td>{escape(transfer)}</td></tr>"
        f"<tr><th>~OKCODE / ~TARGET / ~CALLER</th><td>{escape(requisition.okcode)} / "
        f"{escape(requisition.target)} / {escape(requisition.caller)}</td></tr>"
        f"<tr><th>ERP purchase order number</th><td>{escape(requisition.po_number)}"
        "</td></tr>"
        f"<tr><th>Status</th><td>{escape(_status(requisition))}</td></tr>"
        "</table>"
    )
    parts = [summary]
    if requisition.problems:
        parts.append(
            _box(
                "problem",
                "The form could not be read with the OCI codec:",
                requisition.problems,
            )
        )
    parts.extend(_box("problem", note) for note in requisition.notes)
    if requisition.is_cancelled:
        parts.append(
            _box(
                "duplicate",
                "The buyer left the shop without a cart: the form has no items.",
            )
        )
    if requisition.items:
        parts.append(_lines_table(requisition, settings))
    if requisition.can_be_approved:
        parts.append(_approve_form(requisition, settings, form_token))
    if requisition.answers:
        parts.append("<h2>Answers of the shop</h2>")
        parts.extend(_answer(answer) for answer in requisition.answers)
    parts.append(_received_fields(requisition.fields))
    return layout(f"Requisition #{requisition.id}", "\n".join(parts))


def _lines_table(requisition: Requisition, settings: Settings) -> str:
    nzi_field = settings.nzi_field
    card_field = settings.card_text_field
    separate_card = card_field.upper() != LONGTEXT
    head = (
        "<tr><th>#</th><th>Description</th><th>Product (SKU)</th><th>Quantity</th>"
        "<th>Unit</th><th>Price</th><th>Per</th><th>Line total</th><th>Currency</th>"
        f"<th>NZI code ({escape(nzi_field)})</th><th>Lead time (days)</th>"
        + (f"<th>Card text ({escape(card_field)})</th>" if separate_card else "")
        + "<th>Long text"
        + ("" if separate_card else " and card text")
        + "</th></tr>"
    )
    rows = []
    for item in requisition.items:
        total = line_total(item)
        rows.append(
            "<tr>"
            f'<td class="number">{item.index}</td>'
            f"<td>{escape(item.description)}</td>"
            f"<td>{escape(sku_of(item))}</td>"
            f'<td class="number">{_number(item.quantity)}</td>'
            f"<td>{escape(item.unit)}</td>"
            f'<td class="number">{_number(item.price)}</td>'
            f'<td class="number">{_number(item.price_unit)}</td>'
            f'<td class="number">{"" if total is None else escape(f"{total:.2f}")}</td>'
            f"<td>{escape(item.currency)}</td>"
            f"<td>{escape(field_value(item, nzi_field))}</td>"
            f'<td class="number">{escape(item.lead_time)}</td>'
            + (
                f'<td class="text">{escape(field_value(item, card_field))}</td>'
                if separate_card
                else ""
            )
            + f'<td class="text">{escape(item.long_text)}</td>'
            "</tr>"
        )
    totals = _totals_text(requisition)
    return (
        "<h2>Lines</h2><table>"
        + head
        + "".join(rows)
        + "</table>"
        + (f"<p>Total (net): {totals}</p>" if totals else "")
    )


def _number(value: Decimal | None) -> str:
    return "" if value is None else escape(plain_number(value))


def _approve_form(requisition: Requisition, settings: Settings, token: str) -> str:
    def button(channel: str, label: str, ready: bool, needs: str) -> str:
        if ready:
            return (
                f'<button type="submit" name="channel" value="{channel}">'
                f"{escape(label)}</button>"
            )
        return (
            f'<button type="submit" disabled>{escape(label)}</button>'
            f"<small>(needs {escape(needs)})</small>"
        )

    po_number = requisition.po_number
    again = " again" if requisition.answers else ""
    return (
        f'<h2>Approve</h2><form method="post" action="/requisitions/{requisition.id}'
        '/approve" accept-charset="UTF-8">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        "<p><label>Cost centre (kostenplaats), optional "
        '<input name="cost_centre" maxlength="35"></label></p>'
        + button(
            "graphql",
            f"Approve and send PO {po_number}{again} by GraphQL",
            settings.graphql_configured,
            "--app-token and --connection-id",
        )
        + button(
            "cxml",
            f"Approve and send PO {po_number}{again} as cXML OrderRequest",
            settings.cxml_configured,
            "--cxml-identity and --cxml-secret",
        )
        + "</form>"
    )


def _answer(answer: ShopAnswer) -> str:
    title = {
        Outcome.PLACED: f"Placed as shop order {answer.order_number}",
        Outcome.DUPLICATE: f"Duplicate: already shop order {answer.order_number}",
        Outcome.REFUSED: "Refused by the shop",
        Outcome.FAILED: "Not delivered",
    }[answer.outcome]
    sent = (
        f"<details><summary>What was sent</summary><pre>{escape(answer.sent)}</pre>"
        "</details>"
        if answer.sent
        else ""
    )
    return _box(
        answer.outcome.value,
        f"{answer.answered_at:%H:%M:%S} UTC, {answer.channel}: {title}",
        answer.messages,
        extra=sent,
    )


def _received_fields(fields: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr><td>{escape(name)}</td><td class="text">{escape(value)}</td></tr>'
        for name, value in fields
    )
    return (
        f"<details><summary>The {len(fields)} fields as received</summary>"
        f"<table><tr><th>Name</th><th>Value</th></tr>{rows}</table></details>"
    )


def _box(kind: str, text: str, items: Iterable[str] = (), extra: str = "") -> str:
    listed = "".join(f"<li>{escape(item)}</li>" for item in items)
    return (
        f'<div class="box {escape(kind)}"><p>{escape(text)}</p>'
        + (f"<ul>{listed}</ul>" if listed else "")
        + extra
        + "</div>"
    )


# -------------------------------------------------------------------- invoices
# CustomizationID (BT-24) -> a short name; others are shown after their last "#".
CUSTOMIZATION_LABELS = {
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0": "SI-UBL 2.0",
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0": (
        "Peppol BIS 3"
    ),
    "urn:cen.eu:en16931:2017": "EN 16931",
}
KIND_LABELS = {"invoice": "Invoice", "credit_note": "Credit note"}
DOCUMENT_LABELS = {"xml": "UBL XML", "html": "HTML"}
_NON_FATAL_FLAGS = frozenset({"warning", "warn", "information", "info"})


def invoices_page(listing: InvoiceListing, settings: Settings) -> str:
    parts = [
        f"<p>Invoices of the shop at <code>{escape(settings.shop_base)}</code>, read "
        "with GraphQL <code>ociInvoices</code>"
        + ("" if settings.app_token else " (no <code>--app-token</code> given)")
        + ".</p>"
    ]
    kind = "problem" if listing.offered else "duplicate"
    parts.extend(_box(kind, message) for message in listing.messages)
    if listing.offered and not listing.messages and not listing.rows:
        parts.append("<p>The shop has no invoices yet.</p>")
    if listing.rows:
        parts.append(_invoice_table(listing))
        if listing.has("xml"):
            parts.append(
                '<p class="note">PO number and buyer reference are read from the '
                "UBL document (<code>cac:OrderReference/cbc:ID</code>, BT-13, and "
                "<code>cbc:BuyerReference</code>, BT-10), as the buyer's ERP matches "
                "the invoice to its purchase order.</p>"
            )
    if listing.other_fields:
        names = ", ".join(
            f"<code>{escape(name)}</code>" for name in listing.other_fields
        )
        parts.append(
            "<details><summary>Fields of the shop's invoice type the simulator does "
            f"not show</summary><p>{escape(listing.typename)}: {names}</p></details>"
        )
    return layout("Invoices", "\n".join(parts))


def _invoice_columns(listing: InvoiceListing) -> list[tuple[str, str]]:
    """(heading, class) of the columns the shop's fields allow, in their order."""
    rows = listing.rows
    candidates = [
        ("Number", "nowrap", listing.has("number")),
        ("Kind", "", listing.has("kind", "customization")),
        ("Issue date", "nowrap", listing.has("issueDate")),
        ("PO number", "nowrap", listing.has("xml")),
        ("Buyer reference", "long", listing.has("xml")),
        ("Period", "", any(row.period_start or row.period_end for row in rows)),
        ("Amount", "number", listing.has("payableAmount")),
        ("Validation", "long", listing.has("validationResult")),
        ("Delivery", "long", listing.has("sentAt", "sentTo", "deliveryError")),
        ("Documents", "nowrap", bool(listing.documents) or listing.has("url")),
    ]
    return [(heading, css) for heading, css, shown in candidates if shown]


def _invoice_table(listing: InvoiceListing) -> str:
    columns = _invoice_columns(listing)
    head = "".join(f"<th>{escape(heading)}</th>" for heading, _ in columns)
    rows = []
    for invoice in listing.rows:
        cells = _invoice_cells(invoice, listing)
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="{css}">{cells[heading]}</td>'
                if css
                else f"<td>{cells[heading]}</td>"
                for heading, css in columns
            )
            + "</tr>"
        )
    return f'<table class="invoices"><tr>{head}</tr>{"".join(rows)}</table>'


def _invoice_cells(invoice: Invoice, listing: InvoiceListing) -> dict[str, str]:
    """Each column's cell for ``invoice``, as HTML with every value escaped."""
    period = " &ndash; ".join(
        escape(day) for day in (invoice.period_start, invoice.period_end) if day
    )
    amount = " ".join(
        escape(part)
        for part in (_amount_text(invoice.payable_amount), invoice.currency)
        if part
    )
    return {
        "Number": escape(invoice.number),
        "Kind": _kind_html(invoice),
        "Issue date": escape(invoice.issue_date),
        "PO number": escape(invoice.po_number),
        "Buyer reference": escape(invoice.buyer_reference),
        "Period": period,
        "Amount": amount,
        "Validation": _validation_html(invoice.validation),
        "Delivery": _delivery_html(invoice, listing),
        "Documents": _documents_html(invoice, listing),
    }


def _kind_html(invoice: Invoice) -> str:
    kind = KIND_LABELS.get(invoice.kind, invoice.kind.replace("_", " "))
    customization = invoice.customization
    label = CUSTOMIZATION_LABELS.get(customization) or customization.rsplit("#", 1)[-1]
    return "<br>".join(
        part
        for part in (
            escape(kind),
            f'<small title="{escape(customization)}">{escape(label)}</small>'
            if label
            else "",
        )
        if part
    )


def _amount_text(value: str) -> str:
    """The amount with at least two decimals ("93.6" -> "93.60"); else as sent."""
    try:
        amount = Decimal(value)
        cents = amount.quantize(Decimal("0.01"))
    except ArithmeticError:  # not a number, or too large to have cents
        return value
    return f"{cents if cents == amount else amount:f}"


def _validation_html(value: Any) -> str:
    """valid / invalid, the rule sets run, and the findings counted (and listed)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dict):
        return escape(_plain_text(value))
    valid = value.get("valid", value.get("isValid"))
    if not isinstance(valid, bool):
        return escape(_plain_text(value))
    lines = [
        '<strong class="valid">valid</strong>'
        if valid
        else '<strong class="invalid">invalid</strong>'
    ]
    rule_sets = value.get("rule_sets") or value.get("ruleSets") or []
    if isinstance(rule_sets, list) and rule_sets:
        lines.append(
            "<small>"
            + ", ".join(escape(_file_name(str(name))) for name in rule_sets)
            + "</small>"
        )
    findings = value.get("failures") or value.get("errors") or []
    if not isinstance(findings, list):
        findings = [findings]
    if not findings:
        if valid:
            lines.append("no warnings")
        return "<br>".join(lines)
    warnings = sum(1 for finding in findings if _is_warning(finding))
    errors = len(findings) - warnings
    counted = ", ".join(
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((errors, "error"), (warnings, "warning"))
        if count
    )
    listed = "".join(f"<li>{escape(_finding_text(item))}</li>" for item in findings)
    lines.append(
        f"<details><summary>{escape(counted)}</summary><ul>{listed}</ul></details>"
    )
    return "<br>".join(lines)


def _is_warning(finding: Any) -> bool:
    if not isinstance(finding, dict):
        return False
    return str(finding.get("flag") or "").lower() in _NON_FATAL_FLAGS


def _finding_text(finding: Any) -> str:
    if not isinstance(finding, dict):
        return _plain_text(finding)
    rule = finding.get("rule_id") or finding.get("ruleId") or ""
    message = finding.get("message") or ""
    return f"{rule}: {message}" if rule else str(message)


def _file_name(path: str) -> str:
    """A rule set's file name without its folder (extra rule sets are paths)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_plain_text(item) for item in value)
    return str(value)


def _delivery_html(invoice: Invoice, listing: InvoiceListing) -> str:
    if invoice.sent_at:
        to = f" to {escape(invoice.sent_to)}" if invoice.sent_to else ""
        return f"e-mailed{to}<br><small>{escape(_moment(invoice.sent_at))}</small>"
    if invoice.delivery_error:
        return '<span class="invalid">not e-mailed:</span> ' + escape(
            invoice.delivery_error
        )
    if not listing.has("sentAt"):  # the shop does not say whether it was sent
        return f"to {escape(invoice.sent_to)}" if invoice.sent_to else ""
    if invoice.sent_to:
        return f"to {escape(invoice.sent_to)}, not sent yet"
    return "not e-mailed yet"


def _moment(value: str) -> str:
    """An ISO date-time as "2026-11-28 09:27 UTC"; as sent when it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _documents_html(invoice: Invoice, listing: InvoiceListing) -> str:
    links: list[str] = []
    if invoice.key:
        query = escape(urlencode({listing.key_field: invoice.key}))
        links.extend(
            f'<a href="/invoices/{name}?{query}">{DOCUMENT_LABELS[name]}</a>'
            for name in listing.documents
        )
    if invoice.url.startswith(("https://", "http://")):
        title = "Saleor file" if "xml" in listing.documents else "UBL XML"
        links.append(
            f'<a href="{escape(invoice.url)}" rel="noopener noreferrer">'
            f"{escape(title)}</a>"
        )
    return "<br>".join(links)
