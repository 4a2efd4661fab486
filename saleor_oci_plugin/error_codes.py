from enum import Enum


class OciErrorCode(Enum):
    """Error codes of the plugin's own GraphQL mutations."""

    GRAPHQL_ERROR = "graphql_error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    REQUIRED = "required"
    UNIQUE = "unique"
    # A setting only shop staff may change (an organisation admin tried).
    STAFF_ONLY = "staff_only"
    CODE_INVALID = "code_invalid"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    SESSION_EXPIRED = "session_expired"
    SESSION_CLOSED = "session_closed"
    # A cXML inspect session: the cart is shown, never changed or transferred.
    READ_ONLY_SESSION = "read_only_session"
    NOT_PUNCHOUT_CHECKOUT = "not_punchout_checkout"
    EMPTY_CART = "empty_cart"
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    # Assortments and budgets
    NOT_IN_ASSORTMENT = "not_in_assortment"
    CHANNEL_INACTIVE = "channel_inactive"
    BUDGET_EXCEEDED = "budget_exceeded"
    # Greeting cards: refused when set, never shortened when printed.
    CARD_TEXT_TOO_LONG = "card_text_too_long"
    CARD_TEXT_UNSUPPORTED_CHARACTERS = "card_text_unsupported_characters"
    CARD_LOGO_MISSING = "card_logo_missing"
    # Purchase orders
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_TRANSFER = "unknown_transfer"
    TRANSFER_ALREADY_ORDERED = "transfer_already_ordered"
    # The cart was edited (cXML edit) and transferred again since.
    TRANSFER_SUPERSEDED = "transfer_superseded"
    DIRECT_ORDER = "direct_order"
    QUANTITY_CHANGED = "quantity_changed"
    INVALID_QUANTITY = "invalid_quantity"
    LINE_MISSING = "line_missing"
    PRICE_OUTSIDE_TOLERANCE = "price_outside_tolerance"
    CURRENCY_MISMATCH = "currency_mismatch"
    UNKNOWN_ORDER = "unknown_order"
    # Credit notes
    NOT_INVOICED = "not_invoiced"
    CREDIT_EXCEEDS_INVOICE = "credit_exceeds_invoice"
    # Logos (buyers/logos.py)
    LOGO_FORMAT_NOT_ALLOWED = "logo_format_not_allowed"
    LOGO_INVALID = "logo_invalid"
    LOGO_FILE_TOO_LARGE = "logo_file_too_large"
    LOGO_DIMENSIONS_TOO_LARGE = "logo_dimensions_too_large"
    LOGO_DECOMPRESSION_BOMB = "logo_decompression_bomb"
