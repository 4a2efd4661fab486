"""The embedded fonts every PDF of the plugin is set in."""

from functools import cache

REGULAR = "OCIVera"
BOLD = "OCIVera-Bold"
ITALIC = "OCIVera-Italic"
BOLD_ITALIC = "OCIVera-BoldItalic"


@cache
def register_fonts() -> str:
    """Register ReportLab's bundled Vera family once; return the regular font's name.

    TrueType fonts registered this way are embedded (as subsets) in the PDF, so the
    print shop and the buyer's PDF reader render exactly the text that was set.
    Vera covers Latin-1 and the euro sign.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file_name in (
        (REGULAR, "Vera.ttf"),
        (BOLD, "VeraBd.ttf"),
        (ITALIC, "VeraIt.ttf"),
        (BOLD_ITALIC, "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, file_name))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR


def unsupported_characters(text: str) -> str:
    """The characters of ``text`` the embedded font cannot draw, each once, in order."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(REGULAR)
    widths = font.face.charWidths
    seen: dict[str, None] = {}
    for char in text:
        if char not in "\n\r\t" and ord(char) not in widths:
            seen.setdefault(char)
    return "".join(seen)
