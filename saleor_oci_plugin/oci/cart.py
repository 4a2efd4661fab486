"""Cart encoding: items to the ordered list of OCI form fields.

The form carries item n (1-based, no gaps, in the order given) as
``NEW_ITEM-<FIELD>[n]`` fields, in the registry's field order, followed by the lines
of its long text as ``NEW_ITEM-LONGTEXT_n:132[]`` (see :func:`~.text.split_long_text`).
An optional field that is empty on every line is left out, unless the mapping's
``send_empty_fields`` is set; a field that is sent is sent for every line.

Rules applied to values, each reported as a :class:`~.problems.FieldWarning`:

* control characters are replaced (:func:`~.text.replace_controls`,
  :func:`~.text.clean_long_text`);
* with a ``charset``, characters it cannot carry are replaced
  (:func:`~.charsets.fit_to_charset`), before lengths are checked, so that the
  replacement (``€`` -> ``EUR``) is counted;
* a value longer than its field is shortened: text at a word boundary
  (:func:`~.text.shorten_text`), codes by a hard cut (:func:`~.text.shorten_code`);
* QUANTITY and TAX are rounded half up to the mapping's places (TAX to 2) when they
  have more (:func:`~.decimals.format_decimal`);
* PRICE with more decimal places than the mapping's ``price_decimals`` is, when
  ``raise_price_unit`` is set, sent for a larger PRICEUNIT instead (0.0125 per 1
  becomes 1.25 per 100: the smallest power of ten that makes it exact, while
  PRICEUNIT stays within its 5 digits; rule ``price-unit-raised``); where no power
  of ten makes it exact, the largest allowed one is used and the price is rounded
  half up (rule ``rounded-decimal``).

What cannot be sent correctly is refused with :class:`~.problems.CartEncodeError`
listing every problem: quantities that are not positive, negative prices, unknown
units, duplicate line numbers, numbers too long for their field, a transfer
identifier longer than EXT_QUOTE_ID's 35 characters (a shortened reference could not
find its cart), and so on.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import chain
from operator import attrgetter
from typing import Any

from .charsets import Charset, can_carry, fit_to_charset, resolve_charset
from .decimals import format_decimal, quantum
from .fields import LONGTEXT, FieldKind, OCIField, OCIVersion, fields_for_version
from .items import CartItem
from .mapping import DEFAULT_MAPPING, EXTRA_PREFIX, TRANSFER_ID, FieldRule, OCIMapping
from .problems import (
    RULE_CHARSET,
    RULE_CONTROL_CHARACTERS,
    RULE_PRICE_UNIT_RAISED,
    RULE_ROUNDED_DECIMAL,
    RULE_SHORTENED_CODE,
    RULE_SHORTENED_TEXT,
    CartEncodeError,
    FieldWarning,
    OCIProblem,
)
from .text import (
    clean_long_text,
    has_controls,
    normalize_line_breaks,
    oci_length,
    replace_controls,
    shorten_code,
    shorten_text,
    split_long_text,
)
from .units import UnknownUnitError

MAX_LINE_NUMBER = 9_999_999_999  # EXT_QUOTE_ITEM holds 10 digits
MAX_PRICE_UNIT = 99_999  # PRICEUNIT holds 5 digits
MAX_LEAD_TIME_DAYS = 99_999  # LEADTIME holds 5 digits
TAX_DECIMALS = 2
TRANSFER_ID_MAX_LENGTH = 35  # EXT_QUOTE_ID


@dataclass(frozen=True, slots=True)
class EncodedCart:
    """The form fields of a cart, in order, and the changes made to values."""

    fields: tuple[tuple[str, str], ...]
    warnings: tuple[FieldWarning, ...]


def encode_cart(
    items: Sequence[CartItem],
    mapping: OCIMapping = DEFAULT_MAPPING,
    *,
    transfer_id: str = "",
    oci_version: OCIVersion = OCIVersion.V4_0,
    charset: Charset | str | None = None,
) -> EncodedCart:
    """Encode ``items`` as OCI form fields (the rules in the module docstring).

    ``transfer_id`` identifies the transfer (EXT_QUOTE_ID by default; empty for
    background answers, which belong to no transfer). Pass the punch-in's
    ``charset`` so that replacements for it are made before lengths are checked;
    without it, values are kept as Unicode and the form rendering replaces what the
    charset lacks. Raise CartEncodeError with every problem found.
    """
    encoder = _Encoder(list(items), mapping, transfer_id, oci_version, charset)
    return encoder.encode()


class _Encoder:
    def __init__(
        self,
        items: list[CartItem],
        mapping: OCIMapping,
        transfer_id: str,
        oci_version: OCIVersion,
        charset: Charset | str | None,
    ) -> None:
        self.items = items
        self.mapping = mapping
        self.transfer_id = transfer_id
        self.oci_version = OCIVersion(oci_version)
        self.charset = (
            charset
            if isinstance(charset, Charset) or charset is None
            else resolve_charset(charset)
        )
        self.problems: list[OCIProblem] = []
        self.warnings: list[FieldWarning] = []
        self._price_units: list[int] = []
        self._unit_codes: dict[str, str] = {}

    # ------------------------------------------------------------------ driver
    def encode(self) -> EncodedCart:
        self._check_transfer_id()
        self._check_items()
        if self.problems:
            raise CartEncodeError(self.problems)
        count = len(self.items)
        suffixes = [f"{position}]" for position in range(1, count + 1)]
        columns: list[list[tuple[str, str]]] = []
        long_texts: list[list[str]] | None = None
        for oci_field in fields_for_version(self.oci_version):
            rule = self.mapping.rules[oci_field.name]
            if rule is None:
                continue
            if oci_field.name == LONGTEXT:
                long_texts = self._long_text_column(rule)
                continue
            values = self._column(oci_field, rule)
            if (
                not oci_field.always_sent
                and not self.mapping.send_empty_fields
                and not any(values)
            ):
                continue
            prefix = f"NEW_ITEM-{oci_field.name}["
            columns.append(
                list(zip([prefix + suffix for suffix in suffixes], values, strict=True))
            )
        if self.problems:
            raise CartEncodeError(self.problems)
        rows = zip(*columns, strict=True)
        if long_texts is None or not any(long_texts):
            fields = tuple(chain.from_iterable(rows))
        else:
            flat: list[tuple[str, str]] = []
            for position, (row, lines) in enumerate(
                zip(rows, long_texts, strict=True), start=1
            ):
                flat.extend(row)
                if lines:
                    name = f"NEW_ITEM-LONGTEXT_{position}:132[]"
                    flat.extend([(name, line) for line in lines])
            fields = tuple(flat)
        self.warnings.sort(key=lambda warning: warning.line or 0)
        return EncodedCart(fields=fields, warnings=tuple(self.warnings))

    def _problem(
        self, field: str, message: str, code: str, line: int | None = None
    ) -> None:
        self.problems.append(OCIProblem(field, message, code, line))

    def _warn(
        self, field: str, line: int | None, original: str, sent: str, rule: str
    ) -> None:
        self.warnings.append(FieldWarning(field, line, original, sent, rule))

    # -------------------------------------------------------------- validation
    def _check_transfer_id(self) -> None:
        if not isinstance(self.transfer_id, str):
            self._problem(
                "EXT_QUOTE_ID", "the transfer id must be a text", "invalid_transfer_id"
            )
        elif oci_length(self.transfer_id) > TRANSFER_ID_MAX_LENGTH or has_controls(
            self.transfer_id
        ):
            self._problem(
                "EXT_QUOTE_ID",
                f"the transfer id must be at most {TRANSFER_ID_MAX_LENGTH} characters "
                "without control characters (a shortened reference could not find "
                "its cart); a UUID's hex form (32 characters) fits",
                "invalid_transfer_id",
            )

    def _check_items(self) -> None:
        items = self.items
        not_items = [
            position
            for position, item in enumerate(items, start=1)
            if not isinstance(item, CartItem)
        ]
        for position in not_items:
            self._problem("item", "is not a CartItem", "invalid_item", position)
        if not_items:
            return
        line_numbers = [item.line_number for item in items]
        if not all(type(number) is int for number in line_numbers) or not all(
            0 < number <= MAX_LINE_NUMBER for number in line_numbers
        ):
            for position, number in enumerate(line_numbers, start=1):
                if type(number) is not int or not 0 < number <= MAX_LINE_NUMBER:
                    self._problem(
                        "line_number",
                        f"must be a whole number from 1 to {MAX_LINE_NUMBER}",
                        "invalid_line_number",
                        position,
                    )
        elif len(set(line_numbers)) != len(line_numbers):
            seen: set[int] = set()
            for position, number in enumerate(line_numbers, start=1):
                if number in seen:
                    self._problem(
                        "line_number",
                        f"line number {number} is used twice",
                        "duplicate_line_number",
                        position,
                    )
                seen.add(number)
        self._check_decimals(
            "quantity",
            "QUANTITY",
            positive=True,
            limit=_number_limit(self.mapping.quantity_decimals),
        )
        self._check_decimals(
            "unit_price",
            "PRICE",
            positive=False,
            limit=_number_limit(self.mapping.price_decimals),
        )
        self._check_whole_numbers(
            "price_unit", "PRICEUNIT", 1, MAX_PRICE_UNIT, optional=False
        )
        self._check_whole_numbers(
            "lead_time_days", "LEADTIME", 0, MAX_LEAD_TIME_DAYS, optional=True
        )
        if self._sends("TAX") and any(item.tax_rate is not None for item in items):
            self._check_decimals(
                "tax_rate",
                "TAX",
                positive=False,
                optional=True,
                limit=_number_limit(TAX_DECIMALS),
            )
        self._check_units()
        for position, item in enumerate(items, start=1):
            if not isinstance(item.currency, str) or not item.currency.strip():
                self._problem(
                    "CURRENCY", "the currency is missing", "missing_currency", position
                )
        if self._sends("PARENT_ID") and any(
            item.parent_line_number is not None for item in items
        ):
            known = set(line_numbers)
            for position, item in enumerate(items, start=1):
                parent = item.parent_line_number
                if parent is not None and (
                    parent not in known or parent == item.line_number
                ):
                    self._problem(
                        "PARENT_ID",
                        f"parent line {parent!r} is not another line of this cart",
                        "unknown_parent",
                        position,
                    )

    def _sends(self, field: str) -> bool:
        """Whether the version has ``field`` and the mapping does not leave it out."""
        return self.mapping.rules[field] is not None and any(
            oci_field.name == field
            for oci_field in fields_for_version(self.oci_version)
        )

    def _check_decimals(
        self,
        attribute: str,
        field: str,
        *,
        positive: bool,
        limit: Decimal,
        optional: bool = False,
    ) -> None:
        values = [getattr(item, attribute) for item in self.items]
        if optional:
            values = [Decimal(0) if value is None else value for value in values]
        if all(type(value) is Decimal for value in values) and values:
            try:
                low, high = min(values), max(values)
                if (low > 0 if positive else low >= 0) and high < limit:
                    return
            except InvalidOperation:
                pass  # a NaN: found below
        for position, value in enumerate(values, start=1):
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                self._problem(
                    field,
                    f"must be a Decimal, not {type(value).__name__}",
                    "invalid_number",
                    position,
                )
            elif isinstance(value, Decimal) and not value.is_finite():
                self._problem(
                    field, "must be a finite number", "invalid_number", position
                )
            elif positive and value <= 0:
                self._problem(
                    field, "must be greater than zero", "not_positive", position
                )
            elif value < 0:
                self._problem(field, "must not be negative", "negative", position)
            elif value >= limit:
                self._problem(
                    field,
                    f"{value} does not fit the field's 15 characters",
                    "number_too_long",
                    position,
                )

    def _check_whole_numbers(
        self, attribute: str, field: str, low: int, high: int, *, optional: bool
    ) -> None:
        for position, item in enumerate(self.items, start=1):
            value = getattr(item, attribute)
            if value is None and optional:
                continue
            if type(value) is not int or not low <= value <= high:
                self._problem(
                    field,
                    f"must be a whole number from {low} to {high}",
                    "invalid_number",
                    position,
                )

    # ------------------------------------------------------------------ columns
    def _column(self, oci_field: OCIField, rule: FieldRule) -> list[str]:
        name = oci_field.name
        if name == "QUANTITY":
            return self._quantities()
        if name == "PRICE":
            return self._prices()
        if name == "PRICEUNIT":  # after PRICE, which may raise price units
            return [str(unit) for unit in self._price_units]
        if name == "UNIT":
            return self._units()
        if name == "LEADTIME":
            return [
                "" if days is None else str(days)
                for days in map(attrgetter("lead_time_days"), self.items)
            ]
        if name == "SERVICE":
            return ["X" if item.is_service else "" for item in self.items]
        if name == "PARENT_ID":
            return self._parents()
        if name == "TAX":
            return self._taxes()
        return self._text_column(oci_field, self._rule_values(rule))

    def _source(self, source: str) -> list[Any]:
        if source == TRANSFER_ID:
            return [self.transfer_id] * len(self.items)
        if source.startswith(EXTRA_PREFIX):
            key = source[len(EXTRA_PREFIX) :]
            values = [item.extra.get(key, "") for item in self.items]
        else:
            values = list(map(attrgetter(source), self.items))
        if set(map(type, values)) <= {str}:
            return values
        return [_as_text(value) for value in values]

    def _rule_values(self, rule: FieldRule) -> list[str]:
        columns = [self._source(source) for source in rule.sources]
        if not columns:
            return [rule.fixed] * len(self.items)
        if rule.join is not None:
            joined = rule.join.join
            values = [
                joined(filter(None, parts)) for parts in zip(*columns, strict=True)
            ]
        elif len(columns) == 1:
            values = columns[0]
        else:
            values = [
                next(filter(None, parts), "") for parts in zip(*columns, strict=True)
            ]
        if rule.fixed:
            values = [value or rule.fixed for value in values]
        return values

    def _text_column(self, oci_field: OCIField, values: list[str]) -> list[str]:
        name = oci_field.name
        joined = "".join(values)
        if has_controls(joined):
            values = self._replace_each(
                name, values, replace_controls, RULE_CONTROL_CHARACTERS
            )
            joined = "".join(values)
        charset = self.charset
        if charset is not None and not can_carry(joined, charset):
            values = self._replace_each(
                name, values, lambda value: fit_to_charset(value, charset), RULE_CHARSET
            )
            joined = "".join(values)
        max_length = oci_field.max_length
        if (
            max_length is not None
            and values
            and (
                max(map(len, values)) > max_length
                or (not joined.isascii() and max(joined) > "\uffff")
            )
        ):
            shorten, rule = (
                (shorten_text, RULE_SHORTENED_TEXT)
                if oci_field.kind is FieldKind.TEXT
                else (shorten_code, RULE_SHORTENED_CODE)
            )
            values = self._replace_each(
                name, values, lambda value: shorten(value, max_length), rule
            )
        return values

    def _replace_each(
        self, field: str, values: list[str], change: Callable[[str], str], rule: str
    ) -> list[str]:
        changed = []
        for position, value in enumerate(values, start=1):
            new_value = change(value)
            if new_value != value:
                self._warn(field, position, value, new_value, rule)
            changed.append(new_value)
        return changed

    def _long_text_column(self, rule: FieldRule) -> list[list[str]]:
        values = self._rule_values(rule)
        joined = "".join(values)
        if "\r" in joined or has_controls(joined, long_text=True):
            cleaned = []
            for position, value in enumerate(values, start=1):
                new_value = clean_long_text(value)
                if new_value != normalize_line_breaks(value):
                    self._warn(
                        LONGTEXT, position, value, new_value, RULE_CONTROL_CHARACTERS
                    )
                cleaned.append(new_value)
            values = cleaned
            joined = "".join(values)
        charset = self.charset
        if charset is not None and not can_carry(joined, charset):
            values = self._replace_each(
                LONGTEXT,
                values,
                lambda value: fit_to_charset(value, charset),
                RULE_CHARSET,
            )
        return [split_long_text(value) if value else [] for value in values]

    def _quantities(self) -> list[str]:
        places = self.mapping.quantity_decimals
        step = quantum(places)
        quantities = [Decimal(item.quantity) for item in self.items]
        rounded = [value.quantize(step, ROUND_HALF_UP) for value in quantities]
        if rounded != quantities:
            for position, (value, new_value) in enumerate(
                zip(quantities, rounded, strict=True), start=1
            ):
                if value != new_value:
                    self._warn(
                        "QUANTITY",
                        position,
                        str(value),
                        format(new_value, "f"),
                        RULE_ROUNDED_DECIMAL,
                    )
                    if not new_value:
                        self._problem(
                            "QUANTITY",
                            f"{value} is zero when rounded to {places} decimal places",
                            "not_positive",
                            position,
                        )
        return self._fit_number("QUANTITY", [format(value, "f") for value in rounded])

    def _prices(self) -> list[str]:
        places = self.mapping.price_decimals
        step = quantum(places)
        prices = [Decimal(item.unit_price) for item in self.items]
        units = self._price_units = [item.price_unit for item in self.items]
        rounded = [value.quantize(step, ROUND_HALF_UP) for value in prices]
        if rounded != prices:
            for index, (price, new_price) in enumerate(
                zip(prices, rounded, strict=True)
            ):
                if price != new_price:
                    rounded[index], units[index] = self._fit_price(
                        index + 1, price, units[index], step
                    )
        self._price_units = units
        return self._fit_number(
            "PRICE", [format(value.copy_abs(), "f") for value in rounded]
        )

    def _fit_price(
        self, position: int, price: Decimal, unit: int, step: Decimal
    ) -> tuple[Decimal, int]:
        """Raise the price unit by a power of ten, else round (module docstring)."""
        original = f"{price} per {unit}"
        scale = 1
        limit = _number_limit(self.mapping.price_decimals)
        if self.mapping.raise_price_unit:
            while unit * scale * 10 <= MAX_PRICE_UNIT and price * scale * 10 < limit:
                scale *= 10
                scaled = price * scale
                if scaled == scaled.quantize(step):
                    scaled = scaled.quantize(step)
                    self._warn(
                        "PRICE",
                        position,
                        original,
                        f"{format(scaled, 'f')} per {unit * scale}",
                        RULE_PRICE_UNIT_RAISED,
                    )
                    return scaled, unit * scale
        new_price = (price * scale).quantize(step, ROUND_HALF_UP)
        self._warn(
            "PRICE",
            position,
            original,
            f"{format(new_price, 'f')} per {unit * scale}",
            RULE_ROUNDED_DECIMAL,
        )
        return new_price, unit * scale

    def _fit_number(self, field: str, values: list[str]) -> list[str]:
        if values and max(map(len, values)) > 15:
            for position, value in enumerate(values, start=1):
                if len(value) > 15:
                    self._problem(
                        field,
                        f"{value} does not fit the field's 15 characters",
                        "number_too_long",
                        position,
                    )
        return values

    def _check_units(self) -> None:
        """Look each distinct shop unit up once; report the unknown ones."""
        table = self.mapping.units
        codes = self._unit_codes
        for position, item in enumerate(self.items, start=1):
            shop_unit = item.unit
            if shop_unit in codes:
                continue
            try:
                codes[shop_unit] = table.to_oci(shop_unit or "")
            except (UnknownUnitError, AttributeError):
                self._problem(
                    "UNIT",
                    f"unit {shop_unit!r} has no OCI code; add it to the "
                    "connection's unit table",
                    "unknown_unit",
                    position,
                )
                codes[shop_unit] = ""

    def _units(self) -> list[str]:
        codes = self._unit_codes
        return [codes[item.unit] for item in self.items]

    def _parents(self) -> list[str]:
        positions = {
            item.line_number: str(position)
            for position, item in enumerate(self.items, start=1)
        }
        return [
            ""
            if item.parent_line_number is None
            else positions[item.parent_line_number]
            for item in self.items
        ]

    def _taxes(self) -> list[str]:
        values = []
        for position, item in enumerate(self.items, start=1):
            rate = item.tax_rate
            if rate is None:
                values.append("")
                continue
            value = format_decimal(Decimal(rate), TAX_DECIMALS)
            if Decimal(value) != rate:
                self._warn("TAX", position, str(rate), value, RULE_ROUNDED_DECIMAL)
            values.append(value)
        return self._fit_number("TAX", values)


def _number_limit(places: int) -> Decimal:
    """The first number too long for a 15-character field with ``places`` decimals."""
    return Decimal(10) ** (15 - places - (1 if places else 0))


def _as_text(value: object) -> str:
    """A source value as text: empty for None, ``X`` for True, numbers in OCI form."""
    if value is None or value is False:
        return ""
    if value is True:
        return "X"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
