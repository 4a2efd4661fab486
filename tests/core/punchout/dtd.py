"""Validating the project's cXML documents against the cXML 1.2.014 DTD excerpt.

The excerpt (cxml-1.2.014-punchout.dtd, beside this module; its header says where
its declarations come from) is read from disk by lxml's DTD class: no network, no
external entity is loaded. Used by both test tiers.
"""

from pathlib import Path

from lxml import etree

from saleor_oci_plugin.purchase_orders.cxml import CXML_DTD_URL

DTD_PATH = Path(__file__).with_name("cxml-1.2.014-punchout.dtd")
_DTD = etree.DTD(str(DTD_PATH))
STANDARD_DOCTYPE = f'<!DOCTYPE cXML SYSTEM "{CXML_DTD_URL}">'


def dtd_errors(document: bytes) -> list[str]:
    """The DTD's complaints about ``document`` (empty: valid).

    The document must declare exactly the cXML 1.2.014 DOCTYPE; it is parsed
    without loading it (the excerpt stands in for it)."""
    parser = etree.XMLParser(load_dtd=False, resolve_entities=False, no_network=True)
    root = etree.fromstring(document, parser)
    doctype = root.getroottree().docinfo.doctype
    problems = [] if doctype == STANDARD_DOCTYPE else [f"DOCTYPE is {doctype!r}"]
    if not _DTD.validate(root):
        problems += [str(error) for error in _DTD.error_log.filter_from_errors()]
    return problems
