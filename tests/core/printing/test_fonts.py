import io

from reportlab.pdfgen import canvas

from saleor_oci_plugin.printing import fonts, raster


def test_text_set_in_the_registered_font_reads_back_from_the_pdf():
    font = fonts.register_fonts()
    output = io.BytesIO()
    pdf = canvas.Canvas(output, pagesize=(300, 200))
    pdf.setFont(font, 12)
    pdf.drawString(20, 100, "Fröhliche Weihnachten \u2013 € 25")
    pdf.save()

    assert raster.pdf_text(output.getvalue()) == ["Fröhliche Weihnachten \u2013 € 25"]
    # Embedded: the font file is in the PDF, not merely named.
    assert b"/FontFile2" in output.getvalue()


def test_unsupported_characters_lists_what_the_font_cannot_draw_once_each():
    assert fonts.unsupported_characters("Hallo € \u2013 é\nok") == ""
    assert fonts.unsupported_characters("雪 and 雪 and 🎄") == "雪🎄"
