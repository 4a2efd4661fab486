from enum import Enum


class OciErrorCode(Enum):
    """Error codes of the plugin's own GraphQL mutations."""

    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    REQUIRED = "required"
    UNIQUE = "unique"
    CODE_INVALID = "code_invalid"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    SESSION_EXPIRED = "session_expired"
    SESSION_CLOSED = "session_closed"
    NOT_PUNCHOUT_CHECKOUT = "not_punchout_checkout"
    EMPTY_CART = "empty_cart"
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
