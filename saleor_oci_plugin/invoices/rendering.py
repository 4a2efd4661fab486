"""A human-readable HTML rendering of an ``InvoiceDocument``; no Django, no Saleor.

The UBL is the invoice; this page is what a person reads (and prints to PDF from
any browser). It is made once, from the same data and totals as the UBL, when the
document is issued, and stored with it: an issued invoice never changes, so its
rendering must not change with a later template or configuration either. Every
value is HTML-escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from .dataclasses import Address, InvoiceDocument, Party
from .ubl import Totals, round_money

_TITLES = {"380": "Invoice", "381": "Credit note"}
_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ccc;padding:.3em;text-align:left}"
    "td.n,th.n{text-align:right}"
    ".parties{display:flex;gap:4em;margin:1em 0}"
)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _money(amount: Decimal, currency: str) -> str:
    return f"{_e(currency)} {round_money(amount):,.2f}"


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _address(address: Address) -> str:
    place = " ".join(part for part in (address.postcode, address.city) if part)
    lines = (address.street, address.additional_street, place, address.country)
    return "<br>".join(_e(line) for line in lines if line)


def _party(title: str, party: Party) -> str:
    details = [f"<strong>{_e(party.name)}</strong>", _address(party.address)]
    if party.legal_id:
        details.append(f"Registration {_e(party.legal_id)}")
    if party.vat_number:
        details.append(f"VAT {_e(party.vat_number)}")
    return f"<div><h2>{_e(title)}</h2>{'<br>'.join(details)}</div>"


def _row(label: str, value: str | None) -> str:
    return f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" if value else ""


def render_html(document: InvoiceDocument, totals: Totals) -> str:
    """The document as one self-contained HTML page."""
    currency = document.currency
    title = f"{_TITLES.get(document.kind.value, 'Invoice')} {document.number}"
    due_date = document.due_date.isoformat() if document.due_date else None
    corrects = (
        document.billing_reference.invoice_number
        if document.billing_reference
        else None
    )
    period = document.invoice_period
    period_text = (
        f"{period.start.isoformat()} to {period.end.isoformat()}" if period else None
    )
    references = "".join(
        (
            _row("Invoice number", document.number),
            _row("Issue date", document.issue_date.isoformat()),
            _row("Due date", due_date),
            _row("Invoicing period", period_text),
            _row("Purchase order", document.purchase_order_number),
            _row("Your reference", document.buyer_reference),
            _row("Cost centre", document.cost_centre),
            _row("Corrects invoice", corrects),
        )
    )
    lines = "".join(
        "<tr>"
        f"<td>{_e(line.line_id)}</td>"
        f"<td>{_e(line.order_line_id or '')}</td>"
        f"<td>{_e(line.name)}"
        + (f"<br><small>{_e(line.sku)}</small>" if line.sku else "")
        # On a consolidated invoice the note names the line's purchase order.
        + (f"<br><small>{_e(line.note)}</small>" if line.note else "")
        + "</td>"
        f"<td>{_e(line.nzi_code or '')}</td>"
        f"<td>{_e(line.cost_centre or '')}</td>"
        f'<td class="n">{_e(_plain(line.quantity))} {_e(line.unit_code)}</td>'
        f'<td class="n">{_e(currency)} {_e(_plain(line.unit_net_price))}</td>'
        f'<td class="n">{_e(_plain(line.vat_rate))} %</td>'
        f'<td class="n">{_money(net, currency)}</td>'
        "</tr>"
        for line, net in zip(document.lines, totals.line_net_amounts, strict=True)
    )
    # The purchase orders (or other documents) a consolidated invoice covers;
    # rows start with <th> like the references above, not <td> like lines.
    supporting = "".join(
        f"<tr><th>{_e(reference.identifier)}</th>"
        f"<td>{_e(reference.description or '')}</td></tr>"
        for reference in document.supporting_documents
    )
    if supporting:
        supporting = f"<h2>Referenced documents</h2><table>{supporting}</table>"
    vat_rows = "".join(
        f"<tr><th>VAT {_e(group.category.value)} {_e(_plain(group.rate))} % "
        f"over {_money(group.taxable_amount, currency)}</th>"
        f'<td class="n">{_money(group.tax_amount, currency)}</td></tr>'
        for group in totals.vat_breakdown
    )
    payment = ""
    if document.payment_means is not None:
        payment = (
            f"<p>Please pay {_money(totals.payable_amount, currency)} to "
            f"{_e(document.payment_means.iban)}"
            + (
                f" quoting {_e(document.payment_means.payment_reference)}"
                if document.payment_means.payment_reference
                else ""
            )
            + ".</p>"
        )
    if document.payment_terms:
        payment += f"<p>{_e(document.payment_terms)}</p>"
    notes = "".join(f"<p>{_e(note)}</p>" for note in document.notes)
    rounding = ""
    if totals.payable_rounding_amount is not None:
        rounding = (
            "<tr><th>Total with VAT</th><td class='n'>"
            f"{_money(totals.tax_inclusive_amount, currency)}</td></tr>"
            "<tr><th>Rounding</th><td class='n'>"
            f"{_money(totals.payable_rounding_amount, currency)}</td></tr>"
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        '<div class="parties">'
        f"{_party('Seller', document.seller)}{_party('Buyer', document.buyer)}"
        "</div>"
        f"<table>{references}</table>{supporting}"
        "<h2>Lines</h2><table><tr><th>#</th><th>PO line</th><th>Item</th>"
        "<th>NZI</th><th>Cost centre</th><th class='n'>Quantity</th>"
        "<th class='n'>Unit price</th><th class='n'>VAT</th>"
        f"<th class='n'>Net amount</th></tr>{lines}</table>"
        "<h2>Totals</h2><table>"
        f"<tr><th>Total net</th><td class='n'>"
        f"{_money(totals.tax_exclusive_amount, currency)}</td></tr>"
        f"{vat_rows}"
        f"<tr><th>Total VAT</th><td class='n'>"
        f"{_money(totals.tax_amount, currency)}</td></tr>"
        f"{rounding}"
        f"<tr><th>Amount due</th><td class='n'><strong>"
        f"{_money(totals.payable_amount, currency)}</strong></td></tr>"
        f"</table>{payment}{notes}</body></html>"
    )
