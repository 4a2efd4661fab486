"""The record of what reached the plugin's URLs from outside."""

from django.http import HttpRequest
from saleor.core.utils import get_client_ip

from .models import Connection, InboundMessage


def record_inbound(
    request: HttpRequest,
    http_status: int,
    detail: str = "",
    connection: Connection | None = None,
    *,
    accepted: bool | None = None,
) -> InboundMessage:
    """Store one inbound request with its answer; bounded, never the request body.

    ``accepted`` defaults to whether the HTTP status is below 400; protocols that
    answer refusals with HTTP 200 (cXML) say it themselves.
    """
    if accepted is None:
        accepted = http_status < 400
    return InboundMessage.objects.create(
        method=(request.method or "")[:10],
        path=request.path.replace("\x00", "\\x00")[: InboundMessage.PATH_MAX_LENGTH],
        remote_addr=get_client_ip(request) or None,
        http_status=http_status,
        outcome=(
            InboundMessage.Outcome.ACCEPTED
            if accepted
            else InboundMessage.Outcome.REFUSED
        ),
        # PostgreSQL text cannot hold NUL; hostile input may put one in a reason.
        detail=detail.replace("\x00", "\\x00")[: InboundMessage.DETAIL_MAX_LENGTH],
        connection=connection,
    )
