"""The punch-out storefront: a server-rendered shop for buyers coming from an ERP.

The procurement system's punch-in redirects the buyer's browser to
``<storefront>/punchout?oci_code=...``; the storefront exchanges the code with the
plugin's ``ociSessionTokenCreate`` and keeps Saleor's tokens on its own server side,
in a session table keyed by an id that travels in the URL path (never in a cookie:
procurement systems frame the shop and third-party cookies are blocked there).
The buyer shops with Saleor's ordinary checkout mutations and ends with
``ociCheckoutTransfer`` (or ``ociCheckoutCancel``), whose HTML form is served as the
page itself and posts the cart to HOOK_URL.

Standard library only, no JavaScript of its own. Start it with ``oci-storefront``.
"""

from .app import StorefrontApp
from .settings import Settings

__all__ = ["Settings", "StorefrontApp"]
