"""Parsing XML from outside, safely: the one place inbound XML goes through lxml.

No DTD is loaded, no entity is resolved or expanded, nothing is fetched from the
network, and a document with a DOCTYPE is refused outright (no format this plugin
reads has one; that is where XXE and "billion laughs" live). Input over the size
limit is refused before parsing.
"""

from lxml import etree

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class UnsafeXMLError(ValueError):
    """The input is not XML this plugin will read; the message says why."""


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Return the root element of ``data`` or raise UnsafeXMLError."""
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"the document is larger than {max_bytes} bytes")
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise UnsafeXMLError(f"not well-formed XML: {error}") from error
    if root is None:
        raise UnsafeXMLError("the document is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXMLError("a document type declaration (DOCTYPE) is not accepted")
    return root
