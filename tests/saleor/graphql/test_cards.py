"""The buyer's live card preview: the print PDF rasterised, with the problems
that would refuse the text."""

import base64
import io

import pytest
from PIL import Image
from saleor.graphql.tests.utils import get_graphql_content

from ..cards.helpers import give_logo
from ..test_round_trip import _start_shopping

PREVIEW = """
query ($checkoutId: ID!, $text: String!, $withLogo: Boolean) {
  ociGreetingCardPreview(checkoutId: $checkoutId, text: $text, withLogo: $withLogo) {
    image
    problems { code message }
  }
}
"""
MM = 72 / 25.4


def _preview(api_client, checkout_id, text, with_logo=False):
    return get_graphql_content(
        api_client.post_graphql(
            PREVIEW,
            {"checkoutId": checkout_id, "text": text, "withLogo": with_logo},
        )
    )["data"]["ociGreetingCardPreview"]


def _image(preview) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert preview["image"].startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(preview["image"][len(prefix) :])))


def test_the_preview_is_the_card_at_its_trimmed_size(
    client, api_client, oci_connection, media_root
):
    give_logo(oci_connection.organisation)
    checkout_id = _start_shopping(client, api_client, oci_connection)

    plain = _preview(api_client, checkout_id, "Beterschap!")
    with_logo = _preview(api_client, checkout_id, "Beterschap!", with_logo=True)

    assert plain["problems"] == []
    image = _image(plain)
    # 96 dpi, cut at the trim: 148 x 105 mm.
    assert image.size == (int(148 * MM * 96 / 72), int(105 * MM * 96 / 72))
    # The logo is drawn in red and blue; without it the card is black on white
    # with its green band.
    assert _reds(_image(with_logo)) > 100
    assert _reds(image) == 0


def _reds(image: Image.Image) -> int:
    return sum(
        1
        for red, green, blue in image.convert("RGB").getdata()
        if red > 200 and green < 80 and blue < 80
    )


def test_the_preview_names_what_would_refuse_the_text(
    client, api_client, oci_connection
):
    checkout_id = _start_shopping(client, api_client, oci_connection)

    preview = _preview(api_client, checkout_id, "x" * 61)

    assert [problem["code"] for problem in preview["problems"]] == [
        "CARD_TEXT_TOO_LONG"
    ]
    assert _image(preview).size[0] > 0


@pytest.mark.parametrize("token", [None, "other"])
def test_no_preview_of_a_checkout_not_ones_own(
    client, api_client, staff_api_client, oci_connection, token
):
    checkout_id = _start_shopping(client, api_client, oci_connection)
    requester = staff_api_client if token == "other" else api_client
    if token is None:
        requester.token = None

    response = requester.post_graphql(
        PREVIEW, {"checkoutId": checkout_id, "text": "Hallo"}
    )

    assert response.json()["data"]["ociGreetingCardPreview"] is None
    assert "errors" in response.json()


def test_the_preview_says_when_there_is_no_logo_to_print(
    client, api_client, oci_connection
):
    checkout_id = _start_shopping(client, api_client, oci_connection)

    preview = _preview(api_client, checkout_id, "Hallo", with_logo=True)

    assert [problem["code"] for problem in preview["problems"]] == ["CARD_LOGO_MISSING"]
