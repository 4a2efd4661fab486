"""Routing of the plugin's URLs under ``/plugins/global/oci.punchout/``.

Saleor hands every request below that prefix to ``OCIPlugin.webhook`` with the rest of
the path; this module maps that rest to the module that serves it. Saleor serves these
URLs without CSRF or session middleware: each handler authenticates its caller itself.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .cards import views as card_views
from .dashboard import views as dashboard_views
from .dataclasses import OCIConfiguration
from .inbound import record_inbound
from .punchout import cxml_setup
from .punchout import views as punchout_views
from .purchase_orders import views as order_views

Handler = Callable[[HttpRequest, OCIConfiguration], HttpResponse]

ROUTES: dict[str, Handler] = {
    "punchin": punchout_views.punchin,
    "cxml/setup": cxml_setup.punchout_setup,
    "orders/cxml": order_views.cxml_order_request,
    "orders/ubl": order_views.ubl_order,
}


def dispatch(request: HttpRequest, path: str, config: OCIConfiguration) -> HttpResponse:
    route = path.strip("/")
    if route == "dashboard" or route.startswith("dashboard/"):
        return dashboard_views.dispatch(
            request, config, route.removeprefix("dashboard").strip("/")
        )
    if route.startswith("cards/"):
        return card_views.card_pdf(request, config, route.removeprefix("cards/"))
    handler = ROUTES.get(route)
    if handler is None:
        message = (
            f"There is no OCI endpoint at {path or '/'!r}. "
            "Check the URL configured in the procurement system."
        )
        # Recorded so that an operator can see an ERP calling a wrong URL.
        record_inbound(request, 404, message)
        return HttpResponse(
            message, status=404, content_type="text/plain; charset=utf-8"
        )
    return handler(request, config)
