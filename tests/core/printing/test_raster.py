import io

from PIL import Image
from reportlab.pdfgen import canvas

from saleor_oci_plugin.printing import raster


def two_page_pdf() -> bytes:
    output = io.BytesIO()
    pdf = canvas.Canvas(output, pagesize=(72 * 4, 72 * 2))
    pdf.rect(10, 10, 50, 50, fill=1)
    pdf.showPage()
    pdf.setPageSize((72 * 3, 72 * 3))
    pdf.showPage()
    pdf.save()
    return output.getvalue()


def test_page_png_renders_the_page_at_the_asked_resolution():
    image = Image.open(io.BytesIO(raster.page_png(two_page_pdf(), dpi=100)))

    assert image.format == "PNG"
    assert image.size == (400, 200)
    # The filled square is drawn: not a blank page.
    assert image.convert("L").getextrema()[0] < 50


def test_page_sizes_are_in_points_per_page():
    assert raster.page_sizes(two_page_pdf()) == [(288.0, 144.0), (216.0, 216.0)]
