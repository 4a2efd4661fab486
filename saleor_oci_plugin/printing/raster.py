"""Reading PDFs back: a page as a PNG image, and the text of a PDF.

The storefront's card preview is the print PDF rasterised, so what the buyer sees
is what the printer gets, drawn once.
"""

import io


def page_png(
    pdf: bytes,
    dpi: int = 96,
    page_index: int = 0,
    crop: tuple[float, float, float, float] = (0, 0, 0, 0),
) -> bytes:
    """Rasterise one page of ``pdf`` at ``dpi`` as PNG bytes; ``crop``: points cut
    off the left, bottom, right and top edges first (a card's bleed)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page_index].render(scale=dpi / 72, crop=crop).to_pil()
    finally:
        document.close()
    output = io.BytesIO()
    # The fastest zlib level: a preview is made while the buyer types.
    image.save(output, format="PNG", optimize=False, compress_level=1)
    return output.getvalue()


def pdf_text(pdf: bytes) -> list[str]:
    """The text of every page of ``pdf``, one string a page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's (width, height) in PDF points (1/72 inch)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [tuple(page.get_size()) for page in document]
    finally:
        document.close()
