"""The HTML page shell both apps render into: every value escaped, no scripts."""

import html

# The rules both apps' pages share; each adds its own after these (so that, for
# example, a ``.problem`` border colour overrides the ``.box`` border).
_SHARED_STYLE = """
nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c9d3da; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #eef3f6; }
td.number { text-align: right; white-space: nowrap; }
.box { border-left: 4px solid #c9d3da; padding: .4rem .8rem; margin: .8rem 0;
       background: #f7f9fa; }
button { margin: .2rem .4rem .2rem 0; padding: .4rem .8rem; }
"""


def escape(value: object) -> str:
    """Text or attribute value for HTML; ``None`` is empty."""
    return html.escape("" if value is None else str(value), quote=True)


def page_style(max_width: str, own_rules: str) -> str:
    """The shared style sheet for pages ``max_width`` wide, then ``own_rules``."""
    body = (
        "\nbody { font-family: system-ui, sans-serif; margin: 0 auto; "
        f"max-width: {max_width};\n       padding: 1rem 1.5rem; color: #1d2a33; }}"
    )
    return body + _SHARED_STYLE + own_rules.lstrip("\n")


def html_document(*, title: str, site: str, style: str, nav: str, body: str) -> str:
    """A whole page: ``title`` as heading and (with ``site``) as window title.

    ``nav`` and ``body`` are HTML already escaped by the caller.
    """
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{escape(title)} · {escape(site)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n{nav}"
        f"<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )
