"""Units of measure: the shop's unit names to the ISO codes OCI carries in ``UNIT``.

SAP expects the ISO code of a unit (UN/ECE Recommendation 20, as SAP's unit table
holds it: ``PCE`` for a piece, ``KGM`` for a kilogram). Shops name units freely
(``stuk``, ``pcs``, ``doos``), and buyers' systems differ (some want ``EA`` or ``C62``
for a piece), so a connection can override any mapping.

**Lookup rule** (:meth:`UnitTable.to_oci`): the shop unit is trimmed and compared
case-insensitively. An empty unit is the table's ``default_unit`` (followed by the
connection's ``overrides`` for it). Otherwise the first that applies of: the
connection's ``overrides`` for the shop unit; the standard table
:data:`STANDARD_UNITS` followed by the connection's ``overrides`` for the code found
(so ``{"PCE": "EA"}`` turns every piece into ``EA``); a shop unit that already is a
code (one to three upper-case letters or digits) followed by the overrides for it. A
unit none of these knows is an error, never a guessed ``EA``.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .problems import MappingError, OCIProblem

_CODE = re.compile(r"[A-Z0-9]{1,3}")


def _table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {name: code for code, names in groups.items() for name in names}


# Shop unit names (English, Dutch, German, common abbreviations) by ISO code.
STANDARD_UNITS: Mapping[str, str] = MappingProxyType(
    _table(
        {
            "PCE": (
                "pc",
                "pcs",
                "piece",
                "pieces",
                "stuk",
                "stuks",
                "st",
                "stk",
                "stück",
                "each",
                "unit",
                "units",
                "item",
                "items",
            ),
            "SET": ("set", "sets", "setje"),
            "PR": ("pair", "pairs", "paar", "pr"),
            "PK": (
                "pack",
                "packs",
                "package",
                "pak",
                "pakje",
                "pakket",
                "packung",
                "pk",
            ),
            "BX": ("box", "boxes", "doos", "dozen", "karton", "carton", "bx"),
            "BO": ("bottle", "bottles", "fles", "flessen", "flasche", "bo"),
            "BH": ("bunch", "bunches", "bos", "bossen", "bund", "bh"),
            "RO": ("roll", "rolls", "rol", "rollen", "rolle", "ro"),
            "KGM": ("kg", "kilo", "kilogram", "kilogramm", "kgm"),
            "GRM": ("g", "gr", "gram", "gramm", "grm"),
            "LTR": ("l", "liter", "litre", "ltr"),
            "MLT": ("ml", "milliliter", "millilitre", "mlt"),
            "MTR": ("m", "meter", "metre", "mtr"),
            "CMT": ("cm", "centimeter", "centimetre", "cmt"),
            "MTK": ("m2", "m²", "sqm", "mtk"),
            "HUR": ("h", "hr", "hour", "hours", "uur", "stunde", "hur"),
            "DAY": ("day", "days", "dag", "dagen", "tag", "tage"),
        }
    )
)

DEFAULT_UNIT = "PCE"


class UnknownUnitError(ValueError):
    """A shop unit that no table maps to an OCI unit code."""


def _key(unit: str) -> str:
    return unit.strip().casefold()


@dataclass(frozen=True)
class UnitTable:
    """A connection's unit lookup: ``overrides`` (shop unit or code -> code), default.

    Build it from stored settings with :meth:`from_dict`; :meth:`to_dict` gives them
    back. Override keys are stored case-folded.
    """

    overrides: Mapping[str, str] = field(default_factory=dict)
    default_unit: str = DEFAULT_UNIT

    def __post_init__(self) -> None:
        problems = []
        overrides: dict[str, str] = {}
        for name, code in dict(self.overrides).items():
            if not isinstance(name, str) or not name.strip():
                problems.append(
                    OCIProblem(
                        "units",
                        "a unit name must be a non-empty text",
                        "invalid_unit_name",
                    )
                )
            elif not isinstance(code, str) or not _CODE.fullmatch(code):
                problems.append(_bad_code_problem(f"units.{name}", code))
            else:
                overrides[_key(name)] = code
        if not isinstance(self.default_unit, str) or not _CODE.fullmatch(
            self.default_unit
        ):
            problems.append(_bad_code_problem("default_unit", self.default_unit))
        if problems:
            raise MappingError(problems)
        object.__setattr__(self, "overrides", MappingProxyType(overrides))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnitTable):
            return NotImplemented
        return (dict(self.overrides), self.default_unit) == (
            dict(other.overrides),
            other.default_unit,
        )

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.overrides.items())), self.default_unit))

    def to_oci(self, shop_unit: str) -> str:
        """The OCI unit code for ``shop_unit`` (the module's lookup rule)."""
        key = _key(shop_unit)
        if not key:
            return self.overrides.get(self.default_unit.casefold(), self.default_unit)
        if key in self.overrides:
            return self.overrides[key]
        code = STANDARD_UNITS.get(key)
        if code is None:
            if not _CODE.fullmatch(shop_unit.strip()):
                raise UnknownUnitError(
                    f"unit {shop_unit!r} has no OCI code; add it to the connection's "
                    "unit table"
                )
            code = shop_unit.strip()
        return self.overrides.get(code.casefold(), code)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "UnitTable":
        """Build from ``{"overrides": {...}, "default_unit": "PCE"}``."""
        return cls(
            overrides=dict(data.get("overrides") or {}),
            default_unit=data.get("default_unit") or DEFAULT_UNIT,
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings :meth:`from_dict` reads, as plain JSON-able values."""
        return {"overrides": dict(self.overrides), "default_unit": self.default_unit}


def _bad_code_problem(where: str, code: object) -> OCIProblem:
    return OCIProblem(
        where,
        f"{code!r} is not a unit code (one to three upper-case letters or digits, "
        "e.g. PCE, EA, C62)",
        "invalid_unit_code",
    )
