"""Cart decoding: what a procurement system does with the posted form.

Used by the tests and by the procurement-system simulator. It reads what real systems
send, not only what this codec writes:

* field names in any case; item indexes from 0 or 1, in any order (items come out
  ordered by index);
* the long text as ``NEW_ITEM-LONGTEXT_n:132[]`` (standard), ``..._n:132``,
  ``..._n[]`` or ``NEW_ITEM-LONGTEXT[n]``; its lines are joined without separator
  (the encoder's lines are consecutive pieces of the text) and CR LF becomes LF;
* decimals with a comma or with grouping (:func:`~.decimals.parse_decimal`);
* missing optional fields: empty text, None for numbers, PRICEUNIT 1.

Numbers that cannot be read are refused with CartDecodeError listing each.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal

from .decimals import parse_decimal
from .fields import LONGTEXT, split_field_name
from .problems import CartDecodeError, OCIProblem
from .text import normalize_line_breaks


@dataclass(frozen=True, slots=True, kw_only=True)
class OCIItem:
    """One item as the receiving system reads it: OCI field names, parsed numbers.

    ``index`` is n of ``NEW_ITEM-...[n]``; ``other`` holds item fields outside the
    registry (``NEW_ITEM-ZZFIELD[n]``) by upper-cased name.
    """

    index: int
    description: str = ""
    matnr: str = ""
    matgroup: str = ""
    quantity: Decimal | None = None
    unit: str = ""
    price: Decimal | None = None
    price_unit: Decimal = Decimal(1)
    currency: str = ""
    lead_time: int | None = None
    vendor: str = ""
    vendormat: str = ""
    manufactcode: str = ""
    manufactmat: str = ""
    contract: str = ""
    contract_item: str = ""
    service: bool = False
    ext_quote_id: str = ""
    ext_quote_item: str = ""
    ext_product_id: str = ""
    attachment: str = ""
    attachment_title: str = ""
    attachment_purpose: str = ""
    ext_schema_type: str = ""
    ext_category_id: str = ""
    ext_category: str = ""
    sld_sys_name: str = ""
    cust_field1: str = ""
    cust_field2: str = ""
    cust_field3: str = ""
    cust_field4: str = ""
    cust_field5: str = ""
    parent_id: str = ""
    item_type: str = ""
    gtin: str = ""
    tax: Decimal | None = None
    long_text: str = ""
    other: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DecodedCart:
    """The items of a form and its echoed fields (None where absent)."""

    items: tuple[OCIItem, ...]
    okcode: str | None = None
    target: str | None = None
    caller: str | None = None
    # Fields that are neither items nor echoes, as received.
    other_fields: tuple[tuple[str, str], ...] = ()


_DECIMAL_FIELDS = {"QUANTITY": "quantity", "PRICE": "price", "TAX": "tax"}
_ECHOES = {"~OKCODE": "okcode", "~TARGET": "target", "~CALLER": "caller"}
_TRUE_FLAGS = {"X", "1", "TRUE", "YES", "Y"}
# OCI fields read as text: their OCIItem attribute is the lower-cased field name.
_TEXT_ATTRIBUTES = frozenset(
    item_field.name for item_field in fields(OCIItem) if item_field.type is str
) - {"long_text"}


def decode_cart(form_fields: Iterable[tuple[str, str]]) -> DecodedCart:
    """Read form fields back into items (tolerant, see the module docstring)."""
    values: dict[int, dict[str, object]] = {}
    long_texts: dict[int, list[str]] = {}
    echoes: dict[str, str] = {}
    other_fields: list[tuple[str, str]] = []
    problems: list[OCIProblem] = []
    for name, value in form_fields:
        if name.upper() in _ECHOES:
            echoes[_ECHOES[name.upper()]] = value
            continue
        oci_field, index = split_field_name(name)
        if index is None:
            other_fields.append((name, value))
            continue
        item = values.setdefault(index, {})
        if oci_field == LONGTEXT:
            long_texts.setdefault(index, []).append(value)
        elif oci_field in _DECIMAL_FIELDS:
            item[_DECIMAL_FIELDS[oci_field]] = _number(
                oci_field, index, value, problems
            )
        elif oci_field == "PRICEUNIT":
            unit = _number(oci_field, index, value, problems)
            item["price_unit"] = Decimal(1) if unit is None else unit
        elif oci_field == "LEADTIME":
            days = _number(oci_field, index, value, problems)
            if days is not None and days != days.to_integral_value():
                problems.append(
                    OCIProblem(
                        oci_field,
                        f"{value!r} is not a whole number of days",
                        "invalid_number",
                        index,
                    )
                )
                days = None
            item["lead_time"] = None if days is None else int(days)
        elif oci_field == "SERVICE":
            item["service"] = value.strip().upper() in _TRUE_FLAGS
        elif oci_field.lower() in _TEXT_ATTRIBUTES:
            item[oci_field.lower()] = value
        else:
            other = item.setdefault("other", {})
            assert isinstance(other, dict)
            other[oci_field] = value
    if problems:
        raise CartDecodeError(problems)
    items = []
    for index in sorted(values):
        attributes = values[index]
        if index in long_texts:
            attributes["long_text"] = normalize_line_breaks("".join(long_texts[index]))
        items.append(OCIItem(index=index, **attributes))  # type: ignore[arg-type]
    return DecodedCart(items=tuple(items), other_fields=tuple(other_fields), **echoes)


def _number(
    field_name: str, index: int, value: str, problems: list[OCIProblem]
) -> Decimal | None:
    if not value.strip():
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        problems.append(
            OCIProblem(
                field_name, f"{value!r} is not a number", "invalid_number", index
            )
        )
        return None
