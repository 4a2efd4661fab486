"""What the codec reports: problems that refuse an input, warnings that change a value.

A *problem* makes an input unusable (a punch-in without ``HOOK_URL``, a cart line with
a negative quantity); every problem found is collected and raised together in one
:class:`OCIError`, so a caller can show them all at once. A *warning* says that a value
was sent in a changed form (shortened, rounded, replaced for a charset): the transfer
goes ahead, and the caller decides whether to show or log it. Nothing is changed
without a warning.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OCIProblem:
    """One thing wrong with an input.

    ``field`` names what is wrong: a punch-in parameter (``HOOK_URL``), an OCI field
    (``QUANTITY``), a mapping setting; ``line`` is the cart position (1-based) where
    the problem concerns one line of a cart, else None. ``code`` is a stable, short
    identifier for programs; ``message`` is a sentence for people.
    """

    field: str
    message: str
    code: str
    line: int | None = None


class _Problem(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def line(self) -> object: ...


class ProblemsError[ProblemType: _Problem](ValueError):
    """An input was refused; ``problems`` lists everything found wrong with it.

    The base of the codec's errors and of other readers of outside input (purchase
    orders) whose problems name a field, a line and a message.
    """

    def __init__(self, problems: Sequence[ProblemType]) -> None:
        if not problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        self.problems: tuple[ProblemType, ...] = tuple(problems)
        super().__init__(
            "; ".join(
                f"{problem.field}"
                + (f" (line {problem.line})" if problem.line is not None else "")
                + f": {problem.message}"
                for problem in self.problems
            )
        )


class OCIError(ProblemsError[OCIProblem]):
    """An OCI input was refused; ``problems`` lists everything found wrong with it."""


class PunchInError(OCIError):
    """A punch-in request was malformed or not allowed."""


class CartEncodeError(OCIError):
    """A cart could not be encoded (bad quantities, unknown units, ...)."""


class CartDecodeError(OCIError):
    """Form fields could not be read back as cart items."""


class SettingsError(OCIError):
    """A connection's settings (allow-list, login names, mapping) are not valid."""


class MappingError(SettingsError):
    """A connection's field mapping or unit table is not valid."""


# Names of the rules that change a value; a FieldWarning's ``rule`` is one of these.
# Each is documented where it is applied (see the functions named).
RULE_SHORTENED_TEXT = "shortened-text"  # text.shorten_text
RULE_SHORTENED_CODE = "shortened-code"  # text.shorten_code
RULE_ROUNDED_DECIMAL = "rounded-decimal"  # decimals.format_decimal
RULE_PRICE_UNIT_RAISED = "price-unit-raised"  # cart.encode_cart
RULE_CONTROL_CHARACTERS = "replaced-control-characters"  # text.replace_controls
RULE_CHARSET = "replaced-for-charset"  # charsets.fit_to_charset


@dataclass(frozen=True, slots=True)
class FieldWarning:
    """A value that was sent in a changed form.

    ``field`` is the OCI field name without prefix and index (``DESCRIPTION``), or the
    form field's own name for fields outside ``NEW_ITEM-*`` (``~OKCODE``, ``HOOK_URL``).
    ``line`` is the item's position n in the form (``NEW_ITEM-...[n]``, 1-based: the
    item at ``items[n - 1]``), or None. ``original`` is the value before the change and
    ``shortened`` the value actually sent (for the charset rule: the value with its
    replacements). ``rule`` is one of the ``RULE_*`` names of this module.
    """

    field: str
    line: int | None
    original: str
    shortened: str
    rule: str
