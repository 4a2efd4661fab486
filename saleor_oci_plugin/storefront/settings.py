"""What the storefront needs to know about Saleor and about itself."""

from dataclasses import dataclass

from saleor_oci_plugin.webapp.server import browser_base_url

GRAPHQL_PATH = "/graphql/"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
DEFAULT_SALEOR_URL = "http://127.0.0.1:8000"
# A transfer runs Saleor's stock, price and tax checks: seconds on a cold worker.
DEFAULT_TIMEOUT_SECONDS = 30.0
# How many products the listing asks for (one page; a punch-out assortment is small).
DEFAULT_PRODUCTS_PER_PAGE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    saleor_url: str = DEFAULT_SALEOR_URL
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    products_per_page: int = DEFAULT_PRODUCTS_PER_PAGE
    # The storefront's address as people's browsers reach it (behind a proxy, the
    # proxy's https address): invitation and password links lead there; https
    # makes the portal's cookie Secure. Empty: the address it listens on.
    public_url: str = ""
    # The channel Saleor's password-reset e-mail is sent for; empty: Saleor's
    # choice (it needs one when the shop has several channels).
    channel: str = ""

    @property
    def graphql_url(self) -> str:
        return self.saleor_url.rstrip("/") + GRAPHQL_PATH

    @property
    def own_base(self) -> str:
        """The storefront's address as a browser on this machine reaches it."""
        return browser_base_url(self.host, self.port)

    @property
    def public_base(self) -> str:
        """Where browsers reach the storefront: ``public_url`` or ``own_base``."""
        return (self.public_url or self.own_base).rstrip("/")

    @property
    def punchout_url(self) -> str:
        """What to set as the connection's storefront URL."""
        return self.own_base + "/punchout"
