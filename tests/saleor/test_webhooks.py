"""The plugin's URLs under /plugins/global/oci.punchout/, as an ERP calls them."""

from saleor_oci_plugin.models import InboundMessage

PLUGIN_URL = "/plugins/global/oci.punchout"


def test_unknown_path_is_a_clear_404_and_is_recorded(client):
    response = client.post(
        f"{PLUGIN_URL}/no-such-endpoint", data=b"<x/>", content_type="text/xml"
    )

    assert response.status_code == 404
    assert b"no OCI endpoint at '/no-such-endpoint'" in response.content
    message = InboundMessage.objects.get()
    assert (message.method, message.path, message.http_status, message.outcome) == (
        "POST",
        f"{PLUGIN_URL}/no-such-endpoint",
        404,
        InboundMessage.Outcome.REFUSED,
    )


def test_recorded_path_is_bounded(client):
    response = client.get(f"{PLUGIN_URL}/{'x' * 1000}")

    assert response.status_code == 404
    assert len(InboundMessage.objects.get().path) == InboundMessage.PATH_MAX_LENGTH
