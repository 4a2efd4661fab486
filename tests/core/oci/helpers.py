"""Reading a rendered return form back as a browser would, with lxml."""

from dataclasses import dataclass

import lxml.html


@dataclass(frozen=True)
class ParsedForm:
    action: str | None
    method: str | None
    target: str | None
    accept_charset: str | None
    fields: list[tuple[str, str]]
    noscript_buttons: int
    scripts: list[str]


def parse_form(body: bytes, content_type: str) -> ParsedForm:
    """Parse the page in the charset its Content-Type names, as a browser does."""
    charset = content_type.split("charset=", 1)[1]
    parser = lxml.html.HTMLParser(encoding=charset)
    document = lxml.html.document_fromstring(body, parser=parser)
    (form,) = document.xpath("//form")
    return ParsedForm(
        action=form.get("action"),
        method=form.get("method"),
        target=form.get("target"),
        accept_charset=form.get("accept-charset"),
        fields=[
            (element.get("name"), element.get("value", ""))
            for element in form.xpath(".//input")
        ],
        noscript_buttons=len(form.xpath(".//noscript//button[@type='submit']")),
        scripts=[script.text or "" for script in document.xpath("//script")],
    )
