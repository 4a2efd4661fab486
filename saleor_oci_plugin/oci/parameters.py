"""The punch-in's parameters: their names, limits, and the functions OCI defines."""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

# A punch-in is a few hundred bytes; these limits only keep a flood out.
MAX_REQUEST_BYTES = 64 * 1024
MAX_PARAMETERS = 200

HOOK_URL = "HOOK_URL"
OKCODE = "~OKCODE"
TARGET = "~TARGET"
CALLER = "~CALLER"
FUNCTION = "FUNCTION"
PRODUCTID = "PRODUCTID"
QUANTITY = "QUANTITY"
SEARCHSTRING = "SEARCHSTRING"
OCI_VERSION = "OCI_VERSION"
OPI_VERSION = "OPI_VERSION"
HTTP_CONTENT_CHARSET = "HTTP_CONTENT_CHARSET"
RETURNTARGET = "RETURNTARGET"
ECHOED_PARAMETERS = frozenset({OKCODE, TARGET, CALLER})
OCI_PARAMETERS = frozenset(
    {
        HOOK_URL,
        OKCODE,
        TARGET,
        CALLER,
        FUNCTION,
        PRODUCTID,
        QUANTITY,
        SEARCHSTRING,
        OCI_VERSION,
        OPI_VERSION,
        HTTP_CONTENT_CHARSET,
        RETURNTARGET,
    }
)


# Longest accepted value per parameter (characters); others: DEFAULT_VALUE_LIMIT.
VALUE_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        OKCODE: 255,
        TARGET: 255,
        CALLER: 255,
        HOOK_URL: 4096,
        SEARCHSTRING: 1000,
        PRODUCTID: 255,
    }
)
LOGIN_VALUE_LIMIT = 255
DEFAULT_VALUE_LIMIT = 4096


class OCIFunction(StrEnum):
    """The FUNCTION of a punch-in; SHOPPING (an absent or empty FUNCTION) is normal."""

    SHOPPING = ""
    DETAIL = "DETAIL"
    VALIDATE = "VALIDATE"
    SOURCING = "SOURCING"
    BACKGROUND_SEARCH = "BACKGROUND_SEARCH"

    @property
    def returns_to_hook_url(self) -> bool:
        """Whether the buyer's browser comes back through HOOK_URL (needs one)."""
        return self in (OCIFunction.SHOPPING, OCIFunction.DETAIL, OCIFunction.SOURCING)

    @property
    def is_background(self) -> bool:
        """Whether the answer is given on the same URL, without browser or redirect."""
        return self in (OCIFunction.VALIDATE, OCIFunction.BACKGROUND_SEARCH)
