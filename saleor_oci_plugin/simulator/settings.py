"""What the simulator needs to know about the shop and about itself."""

from dataclasses import dataclass, field

from saleor_oci_plugin.webapp.server import browser_base_url

PUNCHIN_PATH = "/plugins/global/oci.punchout/punchin"
CXML_ORDERS_PATH = "/plugins/global/oci.punchout/orders/cxml"
GRAPHQL_PATH = "/graphql/"
HOOK_PATH = "/hook"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8800
DEFAULT_SHOP_URL = "http://127.0.0.1:8000"
DEFAULT_TARGET = "_top"
DEFAULT_CHARSET = "UTF-8"
# Where the shop puts the NZI code and the greeting-card text by default (DESIGN 5).
DEFAULT_NZI_FIELD = "MATGROUP"
DEFAULT_CARD_TEXT_FIELD = "LONGTEXT"
# Placing an order in Saleor takes a few seconds on a cold worker.
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The simulator's configuration; secrets are kept out of ``repr``."""

    shop_url: str = DEFAULT_SHOP_URL
    login: str = ""
    password: str = field(default="", repr=False)
    # Base of the HOOK_URL the shop posts the cart to; "" means our own address.
    hook_url_base: str = ""
    target: str = DEFAULT_TARGET
    charset: str = DEFAULT_CHARSET
    app_token: str = field(default="", repr=False)
    connection_id: str = ""
    cxml_identity: str = ""
    cxml_secret: str = field(default="", repr=False)
    nzi_field: str = DEFAULT_NZI_FIELD
    card_text_field: str = DEFAULT_CARD_TEXT_FIELD
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def shop_base(self) -> str:
        return self.shop_url.rstrip("/")

    @property
    def punchin_url(self) -> str:
        return self.shop_base + PUNCHIN_PATH

    @property
    def graphql_url(self) -> str:
        return self.shop_base + GRAPHQL_PATH

    @property
    def cxml_orders_url(self) -> str:
        return self.shop_base + CXML_ORDERS_PATH

    @property
    def own_base(self) -> str:
        """The simulator's address as the buyer's browser reaches it."""
        if self.hook_url_base:
            return self.hook_url_base.rstrip("/")
        return browser_base_url(self.host, self.port)

    @property
    def hook_url(self) -> str:
        return self.own_base + HOOK_PATH

    @property
    def graphql_configured(self) -> bool:
        return bool(self.app_token and self.connection_id)

    @property
    def cxml_configured(self) -> bool:
        return bool(self.cxml_identity and self.cxml_secret)
