"""A procurement system to try the shop's OCI punch-out with, without SAP.

It plays the buyer's ERP (as SAP SRM does) and talks to the shop only over HTTP:
it opens the punch-in, receives the transferred cart at its HOOK_URL and decodes it
with the project's OCI codec (:mod:`saleor_oci_plugin.oci`) into a requisition,
sends the approved purchase order back by GraphQL ``ociPurchaseOrderCreate`` or as a
cXML ``OrderRequest``, and lists the shop's invoices. No Django, no Saleor.

Start it with ``oci-simulator --shop-url http://127.0.0.1:8000 --login ...``
(:mod:`.cli`); :class:`~.app.SimulatorApp` is the WSGI application.
"""

from .app import SimulatorApp
from .settings import Settings

__all__ = ["Settings", "SimulatorApp"]
