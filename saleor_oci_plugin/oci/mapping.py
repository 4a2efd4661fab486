"""A connection's mapping: which item property feeds which OCI field.

Most fields are *text fields*: a :class:`FieldRule` names the item properties that
feed it, in order of preference (the first non-empty one is sent), or, with ``join``,
all of them joined; a ``fixed`` value is sent when no property gives one (with no
sources, it is a constant, such as the shop's vendor number at the buyer). Source
names are :class:`~.items.CartItem` properties, ``transfer_id`` (the transfer being
encoded) and ``extra.<key>`` (the item's ``extra`` values).

The numeric and unit fields have a fixed meaning and can only be left out (when the
field is optional): QUANTITY, UNIT, PRICE, PRICEUNIT and CURRENCY come from the item's
quantity, unit, unit_price, price_unit and currency and are always sent; LEADTIME,
SERVICE, PARENT_ID and TAX from lead_time_days, is_service, parent_line_number and
tax_rate.

By default the NZI code goes to MATGROUP (``nzi_field``) and the greeting-card text
is appended to the long text (``card_text_field``); the transfer's identifier goes to
EXT_QUOTE_ID and the line number to EXT_QUOTE_ITEM, so that a purchase order made from
the cart can name the cart and line it answers.

Stored settings are plain JSON (:meth:`OCIMapping.from_dict`,
:meth:`OCIMapping.to_dict`)::

    {
        "nzi_field": "CUST_FIELD1",
        "card_text_field": "LONGTEXT",
        "fields": {
            "VENDOR": {"fixed": "100234"},
            "EXT_SCHEMA_TYPE": {"fixed": "NZI"},
            "MATNR": null,
            "VENDORMAT": {"from": ["vendor_material_number", "sku"]}
        },
        "units": {"overrides": {"doos": "CT"}, "default_unit": "PCE"},
        "price_decimals": 2,
        "quantity_decimals": 3,
        "raise_price_unit": true,
        "send_empty_fields": false
    }

Entries of ``fields`` replace the rule of that field after ``nzi_field`` and
``card_text_field`` have been applied; ``null`` leaves the field out.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .fields import FIELDS, FIELDS_BY_NAME, LONGTEXT, FieldKind
from .items import ITEM_PROPERTIES
from .problems import MappingError, OCIProblem
from .text import oci_length
from .units import UnitTable

TRANSFER_ID = "transfer_id"
EXTRA_PREFIX = "extra."

# Fields whose value has a fixed meaning: field -> the item property it comes from.
STRUCTURAL_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "QUANTITY": "quantity",
        "UNIT": "unit",
        "PRICE": "unit_price",
        "PRICEUNIT": "price_unit",
        "CURRENCY": "currency",
        "LEADTIME": "lead_time_days",
        "SERVICE": "is_service",
        "PARENT_ID": "parent_line_number",
        "TAX": "tax_rate",
    }
)
TEXT_FIELDS: frozenset[str] = frozenset(
    oci_field.name
    for oci_field in FIELDS
    if oci_field.kind in (FieldKind.TEXT, FieldKind.CODE)
    and oci_field.name not in STRUCTURAL_SOURCES
)
MAX_DECIMAL_PLACES = 6


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Where a field's value comes from (see the module docstring)."""

    sources: tuple[str, ...] = ()
    fixed: str = ""
    join: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FieldRule":
        """Read ``{"from": [...], "fixed": "...", "join": "..."}`` (keys optional)."""
        sources = data.get("from") or ()
        if isinstance(sources, str):
            sources = (sources,)
        if not isinstance(sources, list | tuple) or not all(
            isinstance(source, str) for source in sources
        ):
            raise MappingError(
                [OCIProblem("from", "must be a list of source names", "invalid_rule")]
            )
        return cls(
            sources=tuple(sources), fixed=data.get("fixed") or "", join=data.get("join")
        )

    def to_dict(self) -> dict[str, Any]:
        """The form :meth:`from_dict` reads."""
        data: dict[str, Any] = {"from": list(self.sources)}
        if self.fixed:
            data["fixed"] = self.fixed
        if self.join is not None:
            data["join"] = self.join
        return data


_DEFAULT_TEXT_SOURCES: dict[str, tuple[str, ...]] = {
    "DESCRIPTION": ("description",),
    "MATNR": ("buyer_material_number",),
    "MATGROUP": ("nzi_code",),
    "VENDOR": (),
    "VENDORMAT": ("vendor_material_number", "sku"),
    "MANUFACTCODE": ("manufacturer_code",),
    "MANUFACTMAT": ("manufacturer_material_number",),
    "CONTRACT": ("contract",),
    "CONTRACT_ITEM": ("contract_item",),
    "EXT_QUOTE_ID": (TRANSFER_ID,),
    "EXT_QUOTE_ITEM": ("line_number",),
    "EXT_PRODUCT_ID": ("sku",),
    "ATTACHMENT": ("attachment_url",),
    "ATTACHMENT_TITLE": ("attachment_title",),
    "ATTACHMENT_PURPOSE": ("attachment_purpose",),
    "EXT_SCHEMA_TYPE": (),
    "EXT_CATEGORY_ID": ("category_id",),
    "EXT_CATEGORY": ("category",),
    "SLD_SYS_NAME": (),
    "CUST_FIELD1": (),
    "CUST_FIELD2": (),
    "CUST_FIELD3": (),
    "CUST_FIELD4": (),
    "CUST_FIELD5": (),
    "ITEM_TYPE": ("item_type",),
    "GTIN": ("gtin",),
    LONGTEXT: ("long_text", "card_text"),
}
LONG_TEXT_JOIN = "\n"


def default_rules(
    nzi_field: str = "MATGROUP", card_text_field: str = LONGTEXT
) -> dict[str, FieldRule | None]:
    """The rule of every field with the NZI code and card text placed as asked.

    ``nzi_field``'s rule becomes the NZI code alone (and MATGROUP, when it is not the
    NZI field, gets no source); the card text is joined after the long text when
    ``card_text_field`` is LONGTEXT, or becomes ``card_text_field``'s sole source.
    Unknown field names raise MappingError.
    """
    problems = [
        OCIProblem(setting, f"{name!r} is not a text field of OCI", "unknown_field")
        for setting, name in (
            ("nzi_field", nzi_field),
            ("card_text_field", card_text_field),
        )
        if name not in TEXT_FIELDS
    ]
    if problems:
        raise MappingError(problems)
    sources = dict(_DEFAULT_TEXT_SOURCES)
    if nzi_field != "MATGROUP":
        sources["MATGROUP"] = ()
        sources[nzi_field] = ("nzi_code",)
    if card_text_field != LONGTEXT:
        sources[LONGTEXT] = ("long_text",)
        sources[card_text_field] = ("card_text",)
    rules: dict[str, FieldRule | None] = {
        name: FieldRule(
            sources=field_sources,
            join=LONG_TEXT_JOIN
            if name == LONGTEXT and len(field_sources) > 1
            else None,
        )
        for name, field_sources in sources.items()
    }
    rules.update(
        (name, FieldRule(sources=(source,)))
        for name, source in STRUCTURAL_SOURCES.items()
    )
    return {oci_field.name: rules[oci_field.name] for oci_field in FIELDS}


@dataclass(frozen=True)
class OCIMapping:
    """A connection's complete mapping; every field of the registry has an entry.

    Build it with :meth:`from_dict` from stored settings, or directly with
    ``OCIMapping(rules=default_rules(...))``; invalid settings raise MappingError
    listing every problem.
    """

    rules: Mapping[str, FieldRule | None] = field(default_factory=default_rules)
    nzi_field: str = "MATGROUP"
    card_text_field: str = LONGTEXT
    units: UnitTable = field(default_factory=UnitTable)
    price_decimals: int = 2
    quantity_decimals: int = 3
    # Send PRICE with a larger PRICEUNIT rather than round it (cart.encode_cart).
    raise_price_unit: bool = True
    # Send optional fields even when they are empty on every line.
    send_empty_fields: bool = False

    def __post_init__(self) -> None:
        problems = _check_rules(self.rules)
        for setting in ("price_decimals", "quantity_decimals"):
            places = getattr(self, setting)
            if type(places) is not int or not 0 <= places <= MAX_DECIMAL_PLACES:
                problems.append(
                    OCIProblem(
                        setting,
                        f"must be a whole number from 0 to {MAX_DECIMAL_PLACES}",
                        "invalid_decimal_places",
                    )
                )
        for setting in ("nzi_field", "card_text_field"):
            if getattr(self, setting) not in TEXT_FIELDS:
                problems.append(
                    OCIProblem(
                        setting,
                        f"{getattr(self, setting)!r} is not a text field of OCI",
                        "unknown_field",
                    )
                )
        if problems:
            raise MappingError(problems)
        complete = {oci_field.name: self.rules[oci_field.name] for oci_field in FIELDS}
        object.__setattr__(self, "rules", MappingProxyType(complete))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OCIMapping):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "OCIMapping":
        """Build from stored settings (the format in the module docstring)."""
        data = data or {}
        nzi_field = data.get("nzi_field") or "MATGROUP"
        card_text_field = data.get("card_text_field") or LONGTEXT
        problems: list[OCIProblem] = []
        try:
            rules = default_rules(nzi_field, card_text_field)
        except MappingError:
            rules = default_rules()  # the constructor reports the bad setting
        fields_data = data.get("fields") or {}
        if not isinstance(fields_data, Mapping):
            problems.append(
                OCIProblem(
                    "fields", "must be an object keyed by OCI field", "invalid_rule"
                )
            )
            fields_data = {}
        for name, rule_data in fields_data.items():
            if name not in rules:
                problems.append(
                    OCIProblem(
                        f"fields.{name}", "is not an OCI item field", "unknown_field"
                    )
                )
            elif rule_data is None:
                rules[name] = None
            elif isinstance(rule_data, Mapping):
                try:
                    rules[name] = FieldRule.from_dict(rule_data)
                except MappingError as error:
                    problems.extend(
                        replace(problem, field=f"fields.{name}.{problem.field}")
                        for problem in error.problems
                    )
            else:
                problems.append(
                    OCIProblem(
                        f"fields.{name}",
                        'must be null or an object such as {"from": ["sku"]}',
                        "invalid_rule",
                    )
                )
        units_data = data.get("units") or {}
        try:
            if not isinstance(units_data, Mapping):
                raise MappingError(
                    [OCIProblem("units", "must be an object", "invalid_units")]
                )
            units = UnitTable.from_dict(units_data)
        except MappingError as error:
            problems.extend(error.problems)
            units = UnitTable()
        options = {
            key: data[key]
            for key in (
                "price_decimals",
                "quantity_decimals",
                "raise_price_unit",
                "send_empty_fields",
            )
            if key in data
        }
        try:
            mapping = cls(
                rules=rules,
                nzi_field=nzi_field,
                card_text_field=card_text_field,
                units=units,
                **options,
            )
        except MappingError as error:
            problems.extend(
                problem for problem in error.problems if problem not in problems
            )
        if problems:
            raise MappingError(problems)
        return mapping

    def to_dict(self) -> dict[str, Any]:
        """The settings :meth:`from_dict` reads, with every field's rule explicit."""
        return {
            "nzi_field": self.nzi_field,
            "card_text_field": self.card_text_field,
            "fields": {
                name: None if rule is None else rule.to_dict()
                for name, rule in self.rules.items()
            },
            "units": self.units.to_dict(),
            "price_decimals": self.price_decimals,
            "quantity_decimals": self.quantity_decimals,
            "raise_price_unit": bool(self.raise_price_unit),
            "send_empty_fields": bool(self.send_empty_fields),
        }


def _check_rules(rules: Mapping[str, FieldRule | None]) -> list[OCIProblem]:
    problems = []
    for name in rules:
        if name not in FIELDS_BY_NAME:
            problems.append(
                OCIProblem(
                    f"fields.{name}", "is not an OCI item field", "unknown_field"
                )
            )
    for oci_field in FIELDS:
        name = oci_field.name
        where = f"fields.{name}"
        if name not in rules:
            problems.append(OCIProblem(where, "has no rule", "missing_rule"))
            continue
        rule = rules[name]
        if rule is None:
            if oci_field.always_sent:
                problems.append(
                    OCIProblem(
                        where, "is always sent and cannot be left out", "required_field"
                    )
                )
            continue
        if not isinstance(rule, FieldRule):
            problems.append(OCIProblem(where, "is not a field rule", "invalid_rule"))
            continue
        if name in STRUCTURAL_SOURCES:
            if rule != FieldRule(sources=(STRUCTURAL_SOURCES[name],)):
                problems.append(
                    OCIProblem(
                        where,
                        f"always comes from the item's {STRUCTURAL_SOURCES[name]}; "
                        "it can only be left out",
                        "fixed_meaning",
                    )
                )
            continue
        problems.extend(_check_text_rule(where, oci_field.max_length, rule))
    return problems


def _check_text_rule(
    where: str, max_length: int | None, rule: FieldRule
) -> list[OCIProblem]:
    problems = []
    for source in rule.sources:
        known = (
            source in ITEM_PROPERTIES
            or source == TRANSFER_ID
            or (
                isinstance(source, str)
                and source.startswith(EXTRA_PREFIX)
                and len(source) > len(EXTRA_PREFIX)
            )
        )
        if not known:
            problems.append(
                OCIProblem(
                    where,
                    f"source {source!r} is not an item property, 'transfer_id' or "
                    "'extra.<key>'",
                    "unknown_source",
                )
            )
    if not isinstance(rule.fixed, str):
        problems.append(OCIProblem(where, "fixed value must be a text", "invalid_rule"))
    elif max_length is not None and oci_length(rule.fixed) > max_length:
        problems.append(
            OCIProblem(
                where,
                f"fixed value {rule.fixed!r} is longer than the field's "
                f"{max_length} characters",
                "fixed_too_long",
            )
        )
    if rule.join is not None and not isinstance(rule.join, str):
        problems.append(OCIProblem(where, "join must be a text", "invalid_rule"))
    return problems


DEFAULT_MAPPING = OCIMapping()
