"""The PDF copy of an invoice or credit note; no Django, no Saleor.

Drawn once, when the document is issued, from the same ``InvoiceDocument`` and
``Totals`` as its UBL (which then carries it as an attachment, BT-125), so the
copy a person reads says exactly what the buyer's system books. A4, in the
embedded Vera fonts (``printing.fonts``); the lines table repeats its header on
every page and every page names the document and says "page n of m".

ReportLab is imported inside the functions: the plugin's start-up does not pay
for it.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from ..printing import fonts
from .dataclasses import Address, DocumentKind, InvoiceDocument, Party, VatCategory
from .ubl import Totals, round_money

logger = logging.getLogger(__name__)

_TITLES = {DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "Credit note"}
_VAT_CATEGORY_NAMES = {
    VatCategory.STANDARD: "standard rate",
    VatCategory.ZERO_RATED: "zero rated",
    VatCategory.EXEMPT: "exempt",
    VatCategory.REVERSE_CHARGE: "reverse charge",
    VatCategory.INTRA_COMMUNITY: "intra-community supply",
    VatCategory.EXPORT: "export outside the EU",
    VatCategory.NOT_SUBJECT: "not subject to VAT",
}
_LEGAL_ID_NAMES = {"0106": "KvK", "0190": "OIN"}
# UN/ECE Rec 20 codes as people read them; any other code is printed as it is.
_UNIT_NAMES = {
    "H87": "pcs",
    "C62": "pcs",
    "EA": "each",
    "KGM": "kg",
    "GRM": "g",
    "LTR": "l",
    "MTR": "m",
    "HUR": "h",
    "DAY": "days",
    "BX": "box",
    "PK": "pack",
    "SET": "set",
}

# Millimetres, converted where used (ReportLab draws in points).
_MARGIN_MM = 16
_FOOTER_Y_MM = 13
_LOGO_BOX_MM = (60, 22)
_LOGO_DPI = 300
# The lines table's columns: #, item, NZI, cost centre, quantity, unit price,
# VAT, amount; they add up to the A4 width between the margins (178 mm).
_LINE_COLUMNS_MM = (8, 57, 16, 27, 17, 20, 11, 22)
_LINE_FONT_SIZE = 8
_LINE_LEADING = 10
_DETAIL_FONT_SIZE = 7
_DETAIL_LEADING = 9
_INK = "#1f2933"
_MUTED = "#616e7c"
_RULE = "#cbd2d9"
_SHADE = "#f0f4f8"
_ACCENT = "#243b53"


def prepare_pdf() -> None:
    """Load ReportLab, the fonts and the styles now, once per process.

    Called before a number series is locked: the first PDF of a process would
    otherwise pay for them (about a quarter of a second) under the lock.
    """
    from reportlab.platypus import BaseDocTemplate  # noqa: F401

    _styles()
    _drawable()
    _item_cell_class()


def render_pdf(
    document: InvoiceDocument, totals: Totals, *, logo: bytes | None = None
) -> bytes:
    """The document as a PDF (A4), with the seller's ``logo`` (PNG or JPEG) if any.

    A logo that cannot be read as an image is left out (and logged): the
    invoice is issued without it rather than not at all.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageTemplate,
    )

    fonts.register_fonts()
    output = io.BytesIO()
    title = f"{_TITLES[document.kind]} {document.number}"
    page_width, page_height = A4
    margin = _MARGIN_MM * mm
    # Room at the foot for the seller's registration and the page number, and
    # at the head of later pages for the document's name.
    bottom = (_MARGIN_MM + 8) * mm
    later_top = (_MARGIN_MM + 6) * mm

    def frame(top: float, frame_id: str) -> Any:
        # No padding: the content is exactly the width between the margins.
        return Frame(
            margin,
            bottom,
            page_width - 2 * margin,
            page_height - top - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=frame_id,
        )

    footer = _footer_text(document)
    seller_name = _printable(document.seller.name)

    def first_page(canvas: Any, doc: Any) -> None:
        _draw_footer(canvas, footer)

    def later_pages(canvas: Any, doc: Any) -> None:
        _draw_footer(canvas, footer)
        canvas.saveState()
        top = page_height - margin
        canvas.setFont(fonts.BOLD, 9)
        canvas.setFillColor(_colour(_ACCENT))
        canvas.drawString(margin, top, f"{title} (continued)")
        canvas.setFont(fonts.REGULAR, 8)
        canvas.setFillColor(_colour(_MUTED))
        canvas.drawRightString(page_width - margin, top, seller_name)
        canvas.restoreState()

    template = BaseDocTemplate(
        output,
        pagesize=A4,
        pageTemplates=[
            PageTemplate("first", [frame(margin, "first")], onPage=first_page),
            PageTemplate("later", [frame(later_top, "later")], onPage=later_pages),
        ],
        title=title,
        author=document.seller.name,
        subject=f"{title} to {document.buyer.name}",
        creator="saleor-oci-plugin",
        # No timestamps or random IDs: the same document gives the same bytes.
        invariant=True,
        lang="en",
        # Every font in the PDF is embedded: not even an empty cell uses
        # ReportLab's default Helvetica, which a PDF only names.
        initialFontName=fonts.REGULAR,
    )
    story = [NextPageTemplate("later"), *_Story(document, totals, logo).flowables()]
    template.build(story, canvasmaker=_numbered_canvas_class(title, footer))
    return output.getvalue()


# ------------------------------------------------------------------- the story


class _Story:
    """The flowables of one document, top to bottom."""

    def __init__(
        self, document: InvoiceDocument, totals: Totals, logo: bytes | None
    ) -> None:
        self.document = document
        self.totals = totals
        self.logo = logo
        self.currency = document.currency
        self.styles = _styles()

    def flowables(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Spacer

        story: list[Any] = [self.letterhead(), Spacer(0, 5 * mm), self.heading()]
        story += [Spacer(0, 4 * mm), self.parties_and_references()]
        story += [Spacer(0, 6 * mm), self.lines_table(), Spacer(0, 3 * mm)]
        story.append(self.totals_block())
        story += self.payment()
        story += self.notes_and_references()
        return story

    # ------------------------------------------------------------ top of page
    def letterhead(self) -> Any:
        from reportlab.lib.units import mm

        seller = self.document.seller
        details = [_p(seller.name, self.styles["seller_name"])]
        details += [
            _p(line, self.styles["seller"]) for line in _address_lines(seller.address)
        ]
        details += [_p(line, self.styles["seller"]) for line in _registrations(seller)]
        if self.document.payment_means is not None:
            iban = _grouped_iban(self.document.payment_means.iban)
            details.append(_p(f"IBAN {iban}", self.styles["seller"]))
        image = _logo_image(self.logo) if self.logo else None
        return _layout_table([[image or "", details]], [(178 - 80) * mm, 80 * mm])

    def heading(self) -> Any:
        title = _TITLES[self.document.kind]
        return _p(f"{title} {self.document.number}", self.styles["title"])

    def parties_and_references(self) -> Any:
        from reportlab.lib.units import mm
        from reportlab.platypus import Table, TableStyle

        document = self.document
        buyer = document.buyer
        buyer_cell = [_p("Bill to", self.styles["label"])]
        buyer_cell.append(_p(buyer.name, self.styles["party_name"]))
        buyer_cell += [
            _p(line, self.styles["body"]) for line in _address_lines(buyer.address)
        ]
        buyer_cell += [_p(line, self.styles["small"]) for line in _registrations(buyer)]
        delivery = document.delivery
        if delivery is not None and (delivery.address or delivery.recipient_name):
            buyer_cell.append(_p("Delivered to", self.styles["label_spaced"]))
            lines = [delivery.recipient_name] if delivery.recipient_name else []
            if delivery.address is not None:
                lines += _address_lines(delivery.address)
            buyer_cell += [_p(line, self.styles["body"]) for line in lines if line]

        rows = [
            (f"{_TITLES[document.kind]} number", document.number),
            ("Issue date", _date(document.issue_date)),
            ("Due date", _date(document.due_date)),
            (
                "Invoicing period",
                f"{_date(document.invoice_period.start)} to "
                f"{_date(document.invoice_period.end)}"
                if document.invoice_period
                else None,
            ),
            ("Delivery date", _date(delivery.date if delivery else None)),
            ("Purchase order", document.purchase_order_number),
            ("Your reference", document.buyer_reference),
            ("Cost centre", document.cost_centre),
            (
                "Corrects invoice",
                document.billing_reference.invoice_number
                if document.billing_reference
                else None,
            ),
            (
                "Invoice date",
                _date(document.billing_reference.issue_date)
                if document.billing_reference
                else None,
            ),
        ]
        references = Table(
            [
                [_p(label, self.styles["label_cell"]), _p(value, self.styles["value"])]
                for label, value in rows
                if value
            ],
            colWidths=[34 * mm, 52 * mm],
        )
        references.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, -1), _colour(_SHADE)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
                    ("TOPPADDING", (0, 0), (-1, 0), 6),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ]
            )
        )
        return _layout_table([[buyer_cell, references]], [92 * mm, 86 * mm])

    # ---------------------------------------------------------------- lines
    def lines_table(self) -> Any:
        from reportlab.lib.units import mm
        from reportlab.platypus import LongTable, TableStyle

        styles = self.styles
        header = [
            _p(text, styles["column_right" if right else "column"])
            for text, right in (
                ("#", False),
                ("Item", False),
                ("NZI", False),
                ("Cost centre", False),
                ("Quantity", True),
                ("Unit price", True),
                ("VAT", True),
                ("Amount", True),
            )
        ]
        widths = [width * mm for width in _LINE_COLUMNS_MM]
        padding = 3
        item_width = widths[1] - 2 * padding
        code_width = widths[2] - 2 * padding
        centre_width = widths[3] - 2 * padding
        item_cell = _item_cell_class()
        rows: list[list[Any]] = [header]
        for line, net in zip(
            self.document.lines, self.totals.line_net_amounts, strict=True
        ):
            details = " · ".join(
                part
                for part in (
                    f"SKU {line.sku}" if line.sku else "",
                    f"PO line {line.order_line_id}" if line.order_line_id else "",
                )
                if part
            )
            rows.append(
                [
                    line.line_id,
                    item_cell(item_width, line.name, [details, line.note or ""]),
                    _wrap(line.nzi_code or "", code_width, _LINE_FONT_SIZE),
                    _wrap(line.cost_centre or "", centre_width, _LINE_FONT_SIZE),
                    f"{_plain(line.quantity)} {_unit(line.unit_code)}",
                    _price(line.unit_net_price),
                    _vat_rate(line.vat_category, line.vat_rate),
                    _money_number(net),
                ]
            )
        # LongTable: Table, with the row heights of a long one computed faster.
        table = LongTable(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    (
                        "FONT",
                        (0, 0),
                        (-1, -1),
                        fonts.REGULAR,
                        _LINE_FONT_SIZE,
                        _LINE_LEADING,
                    ),
                    ("TEXTCOLOR", (0, 1), (-1, -1), _colour(_INK)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
                    ("BACKGROUND", (0, 0), (-1, 0), _colour(_ACCENT)),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, _colour(_RULE)),
                    ("LEFTPADDING", (0, 0), (-1, -1), padding),
                    ("RIGHTPADDING", (0, 0), (-1, -1), padding),
                    ("TOPPADDING", (0, 0), (-1, -1), padding),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                ]
            )
        )
        return table

    # --------------------------------------------------------------- totals
    def totals_block(self) -> Any:
        from reportlab.lib.units import mm
        from reportlab.platypus import KeepTogether, Table, TableStyle

        totals, styles = self.totals, self.styles
        rows: list[list[Any]] = [
            [
                _p("Total net", styles["total_label"]),
                self.money(totals.line_extension_amount),
            ]
        ]
        for group in totals.vat_breakdown:
            rows.append(
                [
                    _p(
                        f"VAT {_vat_rate(group.category, group.rate)} "
                        f"({_VAT_CATEGORY_NAMES.get(group.category, group.category)}) "
                        f"over {self.money(group.taxable_amount)}",
                        styles["total_label"],
                    ),
                    self.money(group.tax_amount),
                ]
            )
            reason = self.document.vat_exemption_reasons.get(group.category)
            if reason:
                rows.append([_p(reason, styles["item_detail"]), ""])
        rows.append(
            [_p("Total VAT", styles["total_label"]), self.money(totals.tax_amount)]
        )
        if totals.payable_rounding_amount is not None:
            rows.append(
                [
                    _p("Total with VAT", styles["total_label"]),
                    self.money(totals.tax_inclusive_amount),
                ]
            )
            rows.append(
                [
                    _p("Rounding", styles["total_label"]),
                    self.money(totals.payable_rounding_amount),
                ]
            )
        due_label = (
            "Amount due"
            if self.document.kind is DocumentKind.INVOICE
            else "Amount credited"
        )
        rows.append(
            [
                _p(due_label, styles["grand_label"]),
                _p(self.money(totals.payable_amount), styles["grand_value"]),
            ]
        )
        table = Table(rows, colWidths=[96 * mm, 38 * mm], hAlign="RIGHT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 9, 11),
                    ("TEXTCOLOR", (0, 0), (-1, -1), _colour(_INK)),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEABOVE", (0, -1), (-1, -1), 1, _colour(_ACCENT)),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, -1), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return KeepTogether([table])

    def payment(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

        document, styles = self.document, self.styles
        parts: list[Any] = []
        means = document.payment_means
        if means is not None and document.kind is DocumentKind.INVOICE:
            text = (
                f"Please pay <b>{escape(self.money(self.totals.payable_amount))}</b>"
                + (
                    f" by <b>{escape(_date(document.due_date))}</b>"
                    if document.due_date
                    else ""
                )
                + f" to IBAN <b>{escape(_grouped_iban(means.iban))}</b> in the name "
                f"of {escape(_printable(document.seller.name))}"
                + (
                    f", quoting <b>{escape(_printable(means.payment_reference))}</b>"
                    if means.payment_reference
                    else ""
                )
                + "."
            )
            parts.append(_p(text, styles["body"], markup=True))
        elif means is not None:
            # A credit note's amount goes the other way: no "please pay".
            parts.append(
                _p(
                    f"Seller's account: IBAN {_grouped_iban(means.iban)}"
                    + (
                        f", reference {means.payment_reference}"
                        if means.payment_reference
                        else ""
                    )
                    + ".",
                    styles["body"],
                )
            )
        if document.payment_terms:
            parts.append(_p(document.payment_terms, styles["body"]))
        if not parts:
            return []
        box = Table([[[_p("Payment", styles["label"]), *parts]]], colWidths=[178 * mm])
        box.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8),
                    ("BOX", (0, 0), (-1, -1), 0.6, _colour(_RULE)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [Spacer(0, 6 * mm), KeepTogether([box])]

    def notes_and_references(self) -> list[Any]:
        from reportlab.lib.units import mm
        from reportlab.platypus import Spacer

        document, styles = self.document, self.styles
        parts: list[Any] = []
        if document.notes:
            parts.append(_p("Notes", styles["label_spaced"]))
            parts += [_p(note, styles["body"]) for note in document.notes]
        if document.supporting_documents:
            parts.append(_p("Purchase orders and documents", styles["label_spaced"]))
            parts += [
                _p(
                    reference.identifier
                    + (f": {reference.description}" if reference.description else ""),
                    styles["body"],
                )
                for reference in document.supporting_documents
            ]
        return [Spacer(0, 3 * mm), *parts] if parts else []

    def money(self, amount: Decimal) -> str:
        return f"{self.currency} {_money_number(amount)}"


# ---------------------------------------------------------- page furniture


def _footer_text(document: InvoiceDocument) -> str:
    seller = document.seller
    return _printable("  ·  ".join([seller.name, *_registrations(seller)]))


def _draw_footer(canvas: Any, text: str) -> None:
    from reportlab.lib.units import mm

    width = canvas._pagesize[0]
    left, right = _MARGIN_MM * mm, width - _MARGIN_MM * mm
    y = _FOOTER_Y_MM * mm
    canvas.saveState()
    canvas.setStrokeColor(_colour(_RULE))
    canvas.setLineWidth(0.5)
    canvas.line(left, y + 4 * mm, right, y + 4 * mm)
    canvas.setFont(fonts.REGULAR, 7)
    canvas.setFillColor(_colour(_MUTED))
    canvas.drawString(left, y, text)
    canvas.restoreState()


def _numbered_canvas_class(title: str, footer: str) -> type:
    """A canvas that writes "<title> · page n of m" once the page count is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._saved_pages)
            right = self._pagesize[0] - _MARGIN_MM * mm
            room = right - _MARGIN_MM * mm - self.stringWidth(footer, fonts.REGULAR, 7)
            for state in self._saved_pages:
                self.__dict__.update(state)
                label = f"{title}  ·  page {self._pageNumber} of {count}"
                y = _FOOTER_Y_MM * mm
                if self.stringWidth(label, fonts.REGULAR, 7) + 6 * mm > room:
                    # Under the seller's line, which a long legal name fills.
                    y -= 3.5 * mm
                self.setFont(fonts.REGULAR, 7)
                self.setFillColor(_colour(_MUTED))
                self.drawRightString(right, y, label)
                super().showPage()
            super().save()

    return NumberedCanvas


# ----------------------------------------------------------------- pieces


@cache
def _colour(hex_code: str) -> Any:
    # A Color made once: ReportLab parses a colour string again for every cell.
    from reportlab.lib.colors import HexColor

    return HexColor(hex_code)


@cache
def _item_cell_class() -> type:
    """A line's item: its name, and its details smaller and grey, pre-wrapped.

    Drawn with a few ``drawString`` calls: two Paragraphs per line made a
    1,000-line invoice take seconds, while the number series stays locked.
    """
    from reportlab.platypus import Flowable

    class ItemCell(Flowable):
        def __init__(self, width: float, name: str, details: list[str]) -> None:
            super().__init__()
            self.name_lines = _wrap(name, width, _LINE_FONT_SIZE).split("\n")
            self.detail_lines = [
                part
                for detail in details
                if detail
                for part in _wrap(detail, width, _DETAIL_FONT_SIZE).split("\n")
            ]
            self.width = width
            self.height = (
                len(self.name_lines) * _LINE_LEADING
                + len(self.detail_lines) * _DETAIL_LEADING
            )

        def wrap(self, available_width: float, available_height: float) -> Any:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            # The first baseline where the Table puts a plain cell's (top - size).
            y = self.height - _LINE_FONT_SIZE
            canvas.setFont(fonts.REGULAR, _LINE_FONT_SIZE)
            canvas.setFillColor(_colour(_INK))
            for text in self.name_lines:
                canvas.drawString(0, y, text)
                y -= _LINE_LEADING
            y += _LINE_LEADING - _DETAIL_LEADING
            canvas.setFont(fonts.REGULAR, _DETAIL_FONT_SIZE)
            canvas.setFillColor(_colour(_MUTED))
            for text in self.detail_lines:
                canvas.drawString(0, y, text)
                y -= _DETAIL_LEADING

    return ItemCell


@cache
def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    fonts.register_fonts()
    base = ParagraphStyle(
        "base", fontName=fonts.REGULAR, fontSize=9, leading=12, textColor=_INK
    )

    def style(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "small": style("small", fontSize=8, leading=10, textColor=_MUTED),
        "seller_name": style(
            "seller_name",
            fontName=fonts.BOLD,
            fontSize=11,
            leading=14,
            alignment=TA_RIGHT,
        ),
        "seller": style(
            "seller", fontSize=8, leading=10, textColor=_MUTED, alignment=TA_RIGHT
        ),
        "title": style(
            "title", fontName=fonts.BOLD, fontSize=20, leading=24, textColor=_ACCENT
        ),
        "label": style(
            "label", fontName=fonts.BOLD, fontSize=7.5, leading=11, textColor=_MUTED
        ),
        "label_spaced": style(
            "label_spaced",
            # A heading is never left alone at the foot of a page.
            keepWithNext=1,
            fontName=fonts.BOLD,
            fontSize=7.5,
            leading=11,
            textColor=_MUTED,
            spaceBefore=6,
        ),
        "party_name": style("party_name", fontName=fonts.BOLD, fontSize=10, leading=13),
        "label_cell": style("label_cell", fontSize=8, leading=10, textColor=_MUTED),
        "value": style("value", fontName=fonts.BOLD, fontSize=8.5, leading=10),
        "column": style(
            "column", fontName=fonts.BOLD, fontSize=8, leading=10, textColor="#ffffff"
        ),
        "column_right": style(
            "column_right",
            fontName=fonts.BOLD,
            fontSize=8,
            leading=10,
            textColor="#ffffff",
            alignment=TA_RIGHT,
        ),
        "item_detail": style("item_detail", fontSize=7, leading=9, textColor=_MUTED),
        "total_label": style("total_label", fontSize=9, leading=11),
        "grand_label": style(
            "grand_label", fontName=fonts.BOLD, fontSize=11, leading=14
        ),
        "grand_value": style(
            "grand_value",
            fontName=fonts.BOLD,
            fontSize=11,
            leading=14,
            alignment=TA_RIGHT,
        ),
    }


def _p(text: str | None, style: Any, *, markup: bool = False) -> Any:
    """A paragraph of ``text``: escaped (ReportLab reads markup) unless ``markup``."""
    from reportlab.platypus import Paragraph

    text = text or ""
    return Paragraph(text if markup else escape(_printable(text)), style)


def _wrap(text: str, width: float, size: float) -> str:
    """``text`` broken into lines that fit ``width`` points, for a plain table cell."""
    from reportlab.lib.utils import simpleSplit

    text = _printable(text)
    if not text:
        return ""
    return "\n".join(simpleSplit(text, fonts.REGULAR, size, width))


def _logo_image(logo: bytes) -> Any | None:
    """The logo scaled into its box, keeping its proportions; None if unreadable."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    try:
        logo, (width, height) = _print_sized(logo)
    except Exception:
        # Anything Pillow cannot read (a truncated file, an SVG, not an image,
        # a decompression bomb).
        logger.warning("The seller logo could not be read; the PDF has none")
        return None
    if not width or not height:
        return None
    box_width, box_height = (size * mm for size in _LOGO_BOX_MM)
    scale = min(box_width / width, box_height / height)
    image = Image(io.BytesIO(logo), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def _print_sized(logo: bytes) -> tuple[bytes, tuple[int, int]]:
    """The logo at no more pixels than its box needs at 300 dpi, and its size.

    A photo-sized logo would otherwise be embedded whole in every invoice.
    """
    from PIL import Image as Picture

    with Picture.open(io.BytesIO(logo)) as picture:
        picture.load()
        box_width, box_height = _LOGO_BOX_MM
        limit = (
            round(box_width / 25.4 * _LOGO_DPI),
            round(box_height / 25.4 * _LOGO_DPI),
        )
        if picture.width <= limit[0] and picture.height <= limit[1]:
            return logo, picture.size
        kind = "JPEG" if picture.format == "JPEG" else "PNG"
        picture.thumbnail(limit)
        output = io.BytesIO()
        picture.save(output, format=kind)
        return output.getvalue(), picture.size


@cache
def _drawable() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    fonts.register_fonts()
    return frozenset(pdfmetrics.getFont(fonts.REGULAR).face.charWidths)


def _printable(text: str) -> str:
    """``text`` with characters the embedded font lacks replaced.

    An accented letter the font lacks (ő, ź) becomes its base letter, anything
    else "?": a blank or a box on an invoice would hide that something is there.
    """
    drawable = _drawable()
    if all(ord(char) in drawable for char in text):
        return text
    out = []
    for char in text:
        if ord(char) in drawable or char in "\n\t":
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        out.append(base if base and ord(base) in drawable else "?")
    return "".join(out)


def _address_lines(address: Address) -> list[str]:
    place = " ".join(part for part in (address.postcode, address.city) if part)
    lines = (address.street, address.additional_street, place, address.country)
    return [line for line in lines if line]


def _registrations(party: Party) -> list[str]:
    lines = []
    if party.legal_id:
        scheme = _LEGAL_ID_NAMES.get(party.legal_id_scheme, party.legal_id_scheme)
        lines.append(f"{scheme} {party.legal_id}")
    if party.vat_number:
        lines.append(f"VAT {party.vat_number}")
    return lines


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money_number(amount: Decimal) -> str:
    return f"{round_money(amount):,.2f}"


def _price(price: Decimal) -> str:
    """A unit price: at least the cents, and any finer digits it was agreed with."""
    if price == round_money(price):
        return f"{price:,.2f}"
    return f"{price.normalize():,f}"


def _vat_rate(category: VatCategory, rate: Decimal) -> str:
    if category is VatCategory.NOT_SUBJECT:
        return "n/a"
    return f"{_plain(rate)} %"


def _unit(code: str) -> str:
    return _UNIT_NAMES.get(code, code)


def _grouped_iban(iban: str) -> str:
    """An IBAN in groups of four, as people read and type it."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _layout_table(rows: list[list[Any]], column_widths: list[float]) -> Any:
    """A borderless, unpadded table that only places blocks side by side."""
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=column_widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
