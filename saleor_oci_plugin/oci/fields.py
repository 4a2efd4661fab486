"""The registry of outbound OCI item fields (``NEW_ITEM-<FIELD>[n]``), OCI 4.0 and 5.0.

Lengths are maxima in characters as :func:`~.text.oci_length` counts them. The
OCI 5.0 additions are the hierarchy fields ``PARENT_ID`` (the form index n of the
parent item) and ``ITEM_TYPE`` (``R`` an item, ``O`` an outline), plus ``GTIN`` and
``TAX`` (read here as the tax rate in percent); their lengths follow the project's
reading of the specification (DESIGN.md, section 5).
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class OCIVersion(StrEnum):
    """The OCI field set a form is written for."""

    V4_0 = "4.0"
    V5_0 = "5.0"


def parse_oci_version(text: str) -> OCIVersion | None:
    """The field set for an ``OCI_VERSION`` value, or None if it is not a version.

    5.x and later get the 5.0 fields; 1.x to 4.x get the 4.0 fields, which carry
    everything older versions define (a receiver ignores fields it does not know).
    """
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.\d{1,3}){0,2}\s*", text)
    if match is None or int(match.group(1)) == 0:
        return None
    return OCIVersion.V5_0 if int(match.group(1)) >= 5 else OCIVersion.V4_0


class FieldKind(StrEnum):
    """How a field's value is written and shortened."""

    TEXT = "text"  # free text: shortened at a word boundary (text.shorten_text)
    CODE = "code"  # codes and identifiers: shortened by a hard cut (text.shorten_code)
    DECIMAL = "decimal"  # "." and a fixed number of places (decimals.format_decimal)
    INTEGER = "integer"  # whole numbers (days, price units)
    FLAG = "flag"  # "X" or empty


@dataclass(frozen=True, slots=True)
class OCIField:
    """One outbound item field: ``max_length`` is None for the unlimited long text."""

    name: str
    max_length: int | None
    kind: FieldKind
    since: OCIVersion = OCIVersion.V4_0
    # Sent for every line even when empty: a receiver cannot make an item without them.
    always_sent: bool = False


LONGTEXT = "LONGTEXT"

_4 = OCIVersion.V4_0
_5 = OCIVersion.V5_0
_TEXT, _CODE, _DECIMAL = FieldKind.TEXT, FieldKind.CODE, FieldKind.DECIMAL
_INTEGER, _FLAG = FieldKind.INTEGER, FieldKind.FLAG

# In the order fields are written for each item.
FIELDS: tuple[OCIField, ...] = (
    OCIField("DESCRIPTION", 40, _TEXT, always_sent=True),
    OCIField("MATNR", 40, _CODE),
    OCIField("MATGROUP", 10, _CODE),
    OCIField("QUANTITY", 15, _DECIMAL, always_sent=True),
    OCIField("UNIT", 3, _CODE, always_sent=True),
    OCIField("PRICE", 15, _DECIMAL, always_sent=True),
    OCIField("PRICEUNIT", 5, _INTEGER, always_sent=True),
    OCIField("CURRENCY", 5, _CODE, always_sent=True),
    OCIField("LEADTIME", 5, _INTEGER),
    OCIField("VENDOR", 10, _CODE),
    OCIField("VENDORMAT", 40, _CODE),
    OCIField("MANUFACTCODE", 10, _CODE),
    OCIField("MANUFACTMAT", 40, _CODE),
    OCIField("CONTRACT", 10, _CODE),
    OCIField("CONTRACT_ITEM", 5, _CODE),
    OCIField("SERVICE", 1, _FLAG),
    OCIField("EXT_QUOTE_ID", 35, _CODE),
    OCIField("EXT_QUOTE_ITEM", 10, _CODE),
    OCIField("EXT_PRODUCT_ID", 40, _CODE),
    OCIField("ATTACHMENT", 255, _CODE),
    OCIField("ATTACHMENT_TITLE", 255, _TEXT),
    OCIField("ATTACHMENT_PURPOSE", 1, _CODE),
    OCIField("EXT_SCHEMA_TYPE", 10, _CODE),
    OCIField("EXT_CATEGORY_ID", 60, _CODE),
    OCIField("EXT_CATEGORY", 40, _TEXT),
    OCIField("SLD_SYS_NAME", 60, _CODE),
    OCIField("CUST_FIELD1", 10, _TEXT),
    OCIField("CUST_FIELD2", 10, _TEXT),
    OCIField("CUST_FIELD3", 10, _TEXT),
    OCIField("CUST_FIELD4", 20, _TEXT),
    OCIField("CUST_FIELD5", 50, _TEXT),
    OCIField("PARENT_ID", 10, _CODE, since=_5),
    OCIField("ITEM_TYPE", 1, _CODE, since=_5),
    OCIField("GTIN", 14, _CODE, since=_5),
    OCIField("TAX", 15, _DECIMAL, since=_5),
    OCIField(LONGTEXT, None, _TEXT),
)
FIELDS_BY_NAME: dict[str, OCIField] = {field.name: field for field in FIELDS}
_FIELDS_FOR_VERSION = {
    _4: tuple(field for field in FIELDS if field.since is _4),
    _5: FIELDS,
}


def fields_for_version(version: OCIVersion) -> tuple[OCIField, ...]:
    """The fields a form of ``version`` may carry, in writing order."""
    return _FIELDS_FOR_VERSION[version]


def form_field_name(field: str, line: int) -> str:
    """The form field name of ``field`` for the item at position ``line``."""
    if field == LONGTEXT:
        return f"NEW_ITEM-LONGTEXT_{line}:132[]"
    return f"NEW_ITEM-{field}[{line}]"


# Long text names as real systems write them: NEW_ITEM-LONGTEXT_1:132[] (the standard),
# NEW_ITEM-LONGTEXT_1:132, NEW_ITEM-LONGTEXT_1[], NEW_ITEM-LONGTEXT[1], any case.
_LONGTEXT_NAME = re.compile(
    r"NEW_ITEM-LONGTEXT(?:_(\d+))?(?::\d+)?(?:\[(\d*)\])?", re.IGNORECASE
)
_ITEM_FIELD_NAME = re.compile(r"NEW_ITEM-([A-Z0-9_]+)\[(\d+)\]", re.IGNORECASE)


def split_field_name(name: str) -> tuple[str, int | None]:
    """Split a form field name into (OCI field, item position); (name, None) if neither.

    ``NEW_ITEM-DESCRIPTION[3]`` gives ``("DESCRIPTION", 3)``; every long text variant
    listed above gives ``("LONGTEXT", n)``; field names are upper-cased.
    """
    match = _LONGTEXT_NAME.fullmatch(name)
    if match is not None:
        number = match.group(1) or match.group(2)
        if number:
            return LONGTEXT, int(number)
    match = _ITEM_FIELD_NAME.fullmatch(name)
    if match is not None:
        return match.group(1).upper(), int(match.group(2))
    return name, None
