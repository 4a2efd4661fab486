"""Property tests: items -> fields -> HTML page -> lxml -> decoded items.

The decoded items equal the input up to the documented rules: control characters
replaced (text.replace_controls, text.clean_long_text), characters the charset lacks
replaced (charsets.fit_to_charset), values shortened (text.shorten_text,
text.shorten_code), decimals rounded half up (decimals.round_decimal) and prices
moved to a larger price unit (cart.encode_cart).
"""

from decimal import Decimal
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_oci_plugin.oci.cart import encode_cart
from saleor_oci_plugin.oci.charsets import (
    UTF_8,
    Charset,
    fit_to_charset,
    resolve_charset,
)
from saleor_oci_plugin.oci.decimals import round_decimal
from saleor_oci_plugin.oci.decode import OCIItem, decode_cart
from saleor_oci_plugin.oci.fields import OCIVersion
from saleor_oci_plugin.oci.form import render_return_form
from saleor_oci_plugin.oci.items import CartItem
from saleor_oci_plugin.oci.mapping import DEFAULT_MAPPING
from saleor_oci_plugin.oci.punchin import parse_punchin
from saleor_oci_plugin.oci.text import (
    clean_long_text,
    oci_length,
    replace_controls,
    shorten_code,
    shorten_text,
)
from saleor_oci_plugin.oci.units import STANDARD_UNITS, UnitTable

from .helpers import parse_form

LATIN_1 = resolve_charset("ISO-8859-1")
HOOK_URL = "https://srm.example.com/sap/bc/oci?sap-client=100"

any_text = st.text(max_size=80)
long_text = st.text(max_size=400)


def decimals(max_places: int, upper: int, *, positive: bool) -> st.SearchStrategy:
    # A positive quantity must stay positive at 3 places (0.0005 rounds to 0.001).
    lowest = Decimal("0.0005") if positive else Decimal(0)
    return st.decimals(
        min_value=lowest,
        max_value=upper,
        places=None,
        allow_nan=False,
        allow_infinity=False,
    ).map(lambda value: round_decimal(value, max_places))


@st.composite
def carts(draw) -> list[CartItem]:
    count = draw(st.integers(min_value=0, max_value=6))
    line_numbers = draw(
        st.lists(
            st.integers(min_value=1, max_value=10**9),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    items = []
    for line_number in line_numbers:
        items.append(
            CartItem(
                line_number=line_number,
                sku=draw(any_text),
                description=draw(any_text),
                quantity=draw(decimals(6, 10**9, positive=True)),
                unit=draw(st.sampled_from(["", *sorted(STANDARD_UNITS), "C62"])),
                unit_price=draw(decimals(6, 10**9, positive=False)),
                currency=draw(st.sampled_from(["EUR", "USD", "CHF"])),
                price_unit=draw(st.integers(min_value=1, max_value=1000)),
                lead_time_days=draw(st.none() | st.integers(0, 99_999)),
                nzi_code=draw(any_text),
                card_text=draw(long_text),
                long_text=draw(long_text),
                vendor_material_number=draw(any_text),
                category=draw(any_text),
                is_service=draw(st.booleans()),
            )
        )
    return items


transfer_ids = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), max_size=35
).filter(lambda text: oci_length(text) <= 35)


def expected_text(value: str, max_length: int, charset: Charset) -> str:
    return shorten_text(fit_to_charset(replace_controls(value), charset), max_length)


def expected_code(value: str, max_length: int, charset: Charset) -> str:
    return shorten_code(fit_to_charset(replace_controls(value), charset), max_length)


def check_item(
    decoded: OCIItem, position: int, item: CartItem, transfer_id: str, charset: Charset
) -> None:
    assert decoded.index == position
    assert decoded.description == expected_text(item.description, 40, charset)
    assert decoded.matgroup == expected_code(item.nzi_code, 10, charset)
    assert decoded.quantity == round_decimal(item.quantity, 3)
    assert decoded.unit == UnitTable().to_oci(item.unit)
    # The price per piece is kept (prices move to a larger price unit rather than
    # being rounded; a rounding is at most half a cent per price unit).
    assert decoded.price is not None
    assert decoded.price_unit % item.price_unit == 0
    scale = decoded.price_unit / item.price_unit
    assert abs(decoded.price - item.unit_price * scale) <= Decimal("0.005")
    if item.unit_price == round_decimal(item.unit_price, 2):
        assert (decoded.price, decoded.price_unit) == (item.unit_price, item.price_unit)
    assert decoded.currency == item.currency
    assert decoded.lead_time == item.lead_time_days
    assert decoded.vendormat == expected_code(
        item.vendor_material_number or item.sku, 40, charset
    )
    assert decoded.ext_product_id == expected_code(item.sku, 40, charset)
    assert decoded.ext_quote_id == transfer_id
    assert decoded.ext_quote_item == str(item.line_number)
    assert decoded.ext_category == expected_text(item.category, 40, charset)
    assert decoded.service is item.is_service
    joined = "\n".join(text for text in (item.long_text, item.card_text) if text)
    assert decoded.long_text == fit_to_charset(clean_long_text(joined), charset)


def round_trip(items, transfer_id, version, charset):
    encoded = encode_cart(
        items,
        DEFAULT_MAPPING,
        transfer_id=transfer_id,
        oci_version=version,
        charset=charset,
    )
    page = render_return_form(
        encoded.fields,
        hook_url=HOOK_URL,
        target="_top",
        okcode="ADDI",
        caller="CTLG",
        charset=charset,
    )
    # Encoding for the charset beforehand leaves nothing for the page to replace.
    assert page.warnings == ()
    form = parse_form(page.body, page.content_type)
    assert form.action == HOOK_URL
    assert form.fields[3:] == list(encoded.fields)
    return decode_cart(form.fields)


@given(carts(), transfer_ids, st.sampled_from(OCIVersion))
def test_round_trip_in_utf_8(items, transfer_id, version):
    decoded = round_trip(items, transfer_id, version, UTF_8)
    assert (decoded.okcode, decoded.target, decoded.caller) == ("ADDI", "_top", "CTLG")
    assert len(decoded.items) == len(items)
    for position, (decoded_item, item) in enumerate(
        zip(decoded.items, items, strict=True), start=1
    ):
        check_item(decoded_item, position, item, transfer_id, UTF_8)


@settings(max_examples=50)
@given(carts(), st.sampled_from(OCIVersion))
def test_round_trip_in_iso_8859_1(items, version):
    decoded = round_trip(items, "T-1", version, LATIN_1)
    assert len(decoded.items) == len(items)
    for position, (decoded_item, item) in enumerate(
        zip(decoded.items, items, strict=True), start=1
    ):
        check_item(decoded_item, position, item, "T-1", LATIN_1)


@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.sampled_from(["UTF-8", "ISO-8859-1", "windows-1252"]),
)
def test_echo_fields_come_back_as_received(okcode, charset_name):
    charset = resolve_charset(charset_name)
    okcode = fit_to_charset(okcode, charset)  # what a system in that charset can send
    body = urlencode(
        {
            "USERNAME": "jan",
            "PASSWORD": "x",
            "HOOK_URL": HOOK_URL,
            "~OKCODE": okcode,
            "~TARGET": okcode[:10],
            "HTTP_CONTENT_CHARSET": charset_name,
        },
        encoding=charset.codec,
    ).encode("ascii")
    punch_in = parse_punchin(body)
    assert punch_in.okcode == okcode
    page = render_return_form(
        [],
        hook_url=punch_in.hook_url,
        okcode=punch_in.okcode,
        target=punch_in.target,
        charset=punch_in.charset,
    )
    form = parse_form(page.body, page.content_type)
    assert form.fields == [("~OKCODE", okcode), ("~TARGET", okcode[:10])]
    assert page.warnings == ()
