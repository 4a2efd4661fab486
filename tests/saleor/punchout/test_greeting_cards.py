"""Setting a greeting card through GraphQL: refused at set time when it would not
print as typed, never shortened later."""

import graphene
import pytest

from saleor_oci_plugin.punchout.items import CARD_LOGO_KEY, CARD_TEXT_KEY
from saleor_oci_plugin.punchout.models import PunchoutSession

from ..cards.helpers import give_logo, set_card
from ..test_round_trip import _add, _start_shopping


@pytest.fixture
def checkout_line(client, api_client, oci_connection, product_list):
    checkout_id = _start_shopping(client, api_client, oci_connection)
    variant = product_list[0].variants.get()
    lines = _add(
        api_client,
        checkout_id,
        [
            {
                "variantId": graphene.Node.to_global_id("ProductVariant", variant.pk),
                "quantity": 1,
            }
        ],
    )
    return checkout_id, lines[0]["id"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 61, "CARD_TEXT_TOO_LONG"),
        ("\n".join(["Regel"] * 9), "CARD_TEXT_TOO_LONG"),
        # Forty wide letters wrap to two printed lines each: five typed lines
        # need ten.
        ("\n".join(["W" * 40] * 5), "CARD_TEXT_TOO_LONG"),
        (
            "Gelukkig nieuwjaar \N{CJK UNIFIED IDEOGRAPH-65B0}",
            "CARD_TEXT_UNSUPPORTED_CHARACTERS",
        ),
        ("Proost \N{CLINKING BEER MUGS}", "CARD_TEXT_UNSUPPORTED_CHARACTERS"),
    ],
)
def test_a_card_that_would_not_print_as_typed_is_refused(
    checkout_line, api_client, text, code
):
    checkout_id, line_id = checkout_line

    errors = set_card(api_client, checkout_id, text, line_id)

    assert [(error["field"], error["code"]) for error in errors] == [("text", code)]
    session = PunchoutSession.objects.get()
    assert CARD_TEXT_KEY not in session.checkout.lines.get().private_metadata


def test_a_card_with_the_logo_is_refused_when_there_is_no_logo(
    checkout_line, api_client
):
    checkout_id, line_id = checkout_line

    errors = set_card(api_client, checkout_id, "Beterschap!", line_id, with_logo=True)

    assert [(error["field"], error["code"]) for error in errors] == [
        ("withLogo", "CARD_LOGO_MISSING")
    ]


def test_a_card_with_the_logo_is_kept_with_its_choice(
    checkout_line, api_client, oci_connection, media_root
):
    give_logo(oci_connection.organisation)
    checkout_id, line_id = checkout_line

    assert set_card(api_client, checkout_id, "Beterschap!\r\n", line_id, True) == []
    line = PunchoutSession.objects.get().checkout.lines.get()
    assert line.private_metadata[CARD_TEXT_KEY] == "Beterschap!"
    assert line.private_metadata[CARD_LOGO_KEY] == "true"

    # Set again without the logo, the choice goes.
    assert set_card(api_client, checkout_id, "Beterschap!", line_id) == []
    line.refresh_from_db()
    assert CARD_LOGO_KEY not in line.private_metadata
