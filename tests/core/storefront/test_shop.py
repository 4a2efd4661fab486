"""Token refresh and error handling of the GraphQL operations (stand-in Saleor)."""

import pytest

from saleor_oci_plugin.storefront.sessions import SessionTable
from saleor_oci_plugin.storefront.shop import Shop, ShopRefusal

from .helpers import StandInSaleor, make_jwt


@pytest.fixture
def clock():
    class Clock:
        now = 10_000.0

        def __call__(self) -> float:
            return self.now

    return Clock()


@pytest.fixture
def saleor(clock):
    return StandInSaleor(clock=clock)


@pytest.fixture
def shop(saleor, clock):
    return Shop(saleor, SessionTable(clock=clock))  # type: ignore[arg-type]


def _session(shop, clock, token_lifetime=300.0):
    return shop.sessions.open(
        token=make_jwt(clock.now + token_lifetime),
        refresh_token="refresh-1",
        checkout_id="Q2hlY2tvdXQ6MA==",
    )


def test_fresh_token_is_used_without_refresh(shop, saleor, clock):
    session = _session(shop, clock)
    shop.cart(session)
    assert saleor.operations() == ["Checkout"]
    assert saleor.calls[0].token == session.token


def test_token_about_to_expire_is_refreshed_first(shop, saleor, clock):
    session = _session(shop, clock)
    old = session.token
    new = make_jwt(clock.now + 600)
    saleor.handlers["TokenRefresh"] = lambda variables, token: {
        "data": {"tokenRefresh": {"token": new, "errors": []}}
    }
    clock.now += 290  # ten seconds left: inside the margin

    shop.cart(session)

    assert saleor.operations() == ["TokenRefresh", "Checkout"]
    assert saleor.calls[0].variables == {"refreshToken": "refresh-1"}
    assert saleor.calls[0].token is None
    assert saleor.calls[1].token == new != old
    assert session.token_expires_at == clock.now + 310


def test_token_saleor_calls_expired_is_refreshed_and_the_call_repeated(
    shop, saleor, clock
):
    session = _session(shop, clock)
    new = make_jwt(clock.now + 600)
    saleor.handlers["TokenRefresh"] = lambda variables, token: {
        "data": {"tokenRefresh": {"token": new, "errors": []}}
    }
    checkout = saleor.handlers.get("Checkout")
    from .helpers import DEFAULT_HANDLERS

    def checkout_once_expired(variables, token):
        if token != new:
            return {
                "data": None,
                "errors": [
                    {
                        "message": "Signature has expired",
                        "extensions": {"exception": {"code": "ExpiredSignatureError"}},
                    }
                ],
            }
        return DEFAULT_HANDLERS["Checkout"](variables, token)

    assert checkout is None
    saleor.handlers["Checkout"] = checkout_once_expired

    cart = shop.cart(session)

    assert saleor.operations() == ["Checkout", "TokenRefresh", "Checkout"]
    assert len(cart.lines) == 1


def test_refused_refresh_ends_the_session_with_a_clear_message(shop, saleor, clock):
    session = _session(shop, clock, token_lifetime=5)
    saleor.answer(
        "TokenRefresh",
        {
            "token": None,
            "errors": [
                {
                    "field": "refreshToken",
                    "code": "JWT_SIGNATURE_EXPIRED",
                    "message": "Signature has expired",
                }
            ],
        },
    )

    with pytest.raises(ShopRefusal) as refusal:
        shop.cart(session)

    assert refusal.value.codes == ("SESSION_EXPIRED", "JWT_SIGNATURE_EXPIRED")
    assert (
        "start again from your procurement system" in refusal.value.problems[0].message
    )
    assert saleor.operations() == ["TokenRefresh"]


def test_mutation_errors_become_a_refusal_with_codes(shop, saleor, clock):
    session = _session(shop, clock)
    saleor.answer(
        "Transfer",
        {
            "transfer": None,
            "errors": [{"field": "id", "code": "EMPTY_CART", "message": "Empty."}],
        },
    )
    with pytest.raises(ShopRefusal) as refusal:
        shop.transfer(session)
    assert refusal.value.codes == ("EMPTY_CART",)
    assert not session.closed


def test_card_texts_are_remembered_and_removed_with_an_empty_text(shop, clock):
    session = _session(shop, clock)
    shop.set_card_text(session, "  Hallo  ", "line-1")
    assert session.card_texts == {"line-1": "Hallo"}
    shop.set_card_text(session, "", "line-1")
    assert session.card_texts == {}


def test_code_exchange_keeps_the_session_lifetime(shop, saleor):
    session = shop.open_session("code")
    assert session.expires_at == pytest.approx(3976257600.0)  # 2096-01-01T12:00Z
    assert session.checkout_id == "Q2hlY2tvdXQ6MDAwMA=="
