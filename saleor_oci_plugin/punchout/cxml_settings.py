"""A connection's cXML punch-out settings, checked before they are saved.

``protocol`` (oci, cxml or both: which punch-out the procurement system speaks),
``cxml_domains`` (the From credential domains accepted with the connection's
``cxml_identity``; empty: any), ``cxml_form_field`` (cxml-urlencoded, cxml-base64
or both: the field the PunchOutOrderMessage is posted in), ``unspsc_attribute_slug``
(the product attribute holding a product's UNSPSC code) and ``unspsc_default``
(the code of products without one; cXML needs a Classification on every line).
"""

import re
from collections.abc import Callable
from typing import Any

from ..error_codes import OciErrorCode
from .models import Connection

SETTINGS = (
    "protocol",
    "cxml_domains",
    "cxml_form_field",
    "unspsc_attribute_slug",
    "unspsc_default",
)
# UNSPSC: segment, family, class, commodity (8 digits), optionally a 2-digit
# business function.
_UNSPSC = re.compile(r"\d{8}(?:\d{2})?")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{0,250}")
MAX_DOMAIN_LENGTH = 100
MAX_DOMAINS = 20

AddError = Callable[[str, str, OciErrorCode], None]


def check(values: dict[str, Any], add_error: AddError) -> None:
    """Check and normalise the cXML settings among ``values`` (in place)."""
    if "protocol" in values and values["protocol"] not in Connection.Protocol.values:
        add_error(
            "protocol",
            "The protocol must be oci, cxml or both.",
            OciErrorCode.INVALID,
        )
    if (
        "cxml_form_field" in values
        and values["cxml_form_field"] not in Connection.CXMLFormField.values
    ):
        add_error(
            "cxml_form_field",
            "The form field must be cxml-urlencoded, cxml-base64 or both.",
            OciErrorCode.INVALID,
        )
    if "cxml_domains" in values:
        domains = values["cxml_domains"] or []
        if (
            not isinstance(domains, list)
            or len(domains) > MAX_DOMAINS
            or not all(
                isinstance(domain, str)
                and 0 < len(domain.strip()) <= MAX_DOMAIN_LENGTH
                and domain.isprintable()
                for domain in domains
            )
        ):
            add_error(
                "cxml_domains",
                f"Up to {MAX_DOMAINS} credential domains (e.g. NetworkID, DUNS) of "
                f"1 to {MAX_DOMAIN_LENGTH} printable characters.",
                OciErrorCode.INVALID,
            )
        else:
            values["cxml_domains"] = list(
                dict.fromkeys(domain.strip() for domain in domains)
            )
    if "unspsc_attribute_slug" in values:
        slug = values["unspsc_attribute_slug"]
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            add_error(
                "unspsc_attribute_slug",
                "The UNSPSC attribute is a product attribute's slug.",
                OciErrorCode.INVALID,
            )
    if "unspsc_default" in values:
        code = values["unspsc_default"]
        if not isinstance(code, str) or (code and not _UNSPSC.fullmatch(code)):
            add_error(
                "unspsc_default",
                "A UNSPSC code has 8 digits (10 with a business function), e.g. "
                "14111500; empty for none.",
                OciErrorCode.INVALID,
            )
