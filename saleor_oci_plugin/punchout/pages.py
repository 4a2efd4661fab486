"""The pages a buyer's browser sees when punch-in is refused."""

from collections.abc import Sequence
from html import escape

from django.http import HttpResponse

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>{paragraphs}</body></html>
"""


def refusal_page(
    status: int, title: str, reasons: Sequence[str] = (), **headers: str
) -> HttpResponse:
    """A small HTML page saying why, with the HTTP status of the refusal."""
    paragraphs = "".join(f"<p>{escape(reason)}</p>" for reason in reasons)
    response = HttpResponse(
        PAGE.format(title=escape(title), paragraphs=paragraphs),
        status=status,
        content_type="text/html; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response
