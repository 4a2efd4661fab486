"""The server-side session table and reading a token's expiry."""

from saleor_oci_plugin.storefront.sessions import (
    ACCESS_TOKEN_FALLBACK_SECONDS,
    REFRESH_MARGIN_SECONDS,
    SessionTable,
    token_expiry,
)

from .helpers import make_jwt


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_expiry_reads_the_exp_claim():
    assert token_expiry(make_jwt(1234.0), now=0) == 1234.0


def test_unreadable_token_counts_as_five_minutes():
    assert token_expiry("not-a-jwt", now=50) == 50 + ACCESS_TOKEN_FALLBACK_SECONDS
    assert token_expiry("a.!!!.c", now=50) == 50 + ACCESS_TOKEN_FALLBACK_SECONDS


def test_sessions_have_unguessable_distinct_ids_and_form_tokens():
    table = SessionTable()
    first = table.open(token="t", refresh_token="r", checkout_id="c")
    second = table.open(token="t", refresh_token="r", checkout_id="c")
    assert first.id != second.id
    assert len(first.id) >= 32
    assert first.form_token != second.form_token
    assert table.get(first.id) is first


def test_session_is_forgotten_at_its_end():
    clock = Clock()
    table = SessionTable(clock=clock)
    session = table.open(token="t", refresh_token="r", checkout_id="c", expires_at=2000)
    clock.now = 1999
    assert table.get(session.id) is session
    clock.now = 2000
    assert table.get(session.id) is None
    assert len(table) == 0


def test_oldest_session_goes_when_the_table_is_full():
    table = SessionTable(max_sessions=2)
    first, second, third = (
        table.open(token="t", refresh_token="r", checkout_id=str(n)) for n in range(3)
    )
    assert table.get(first.id) is None
    assert table.get(second.id) is second
    assert table.get(third.id) is third


def test_token_needs_refresh_shortly_before_it_expires():
    table = SessionTable(clock=Clock(0))
    session = table.open(token=make_jwt(300), refresh_token="r", checkout_id="c")
    assert not session.token_needs_refresh(300 - REFRESH_MARGIN_SECONDS - 1)
    assert session.token_needs_refresh(300 - REFRESH_MARGIN_SECONDS)
