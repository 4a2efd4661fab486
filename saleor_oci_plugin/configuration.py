"""Reading and validating the plugin's Dashboard configuration."""

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django_countries import countries
from saleor.plugins.error_codes import PluginErrorCode

from .dataclasses import (
    CardFormat,
    DashboardConfiguration,
    InvoicingConfiguration,
    OCIConfiguration,
)

# Why the plugin refuses work that needs its configuration while it is off.
SWITCHED_OFF = "OCI punch-out is switched off in this shop."

STOREFRONT_URL = "storefront_url"
SESSION_LIFETIME_MINUTES = "session_lifetime_minutes"
NZI_ATTRIBUTE_SLUG = "nzi_attribute_slug"
NZI_METADATA_KEY = "nzi_metadata_key"

DEFAULT_SESSION_LIFETIME_MINUTES = 120
DEFAULT_NZI_ATTRIBUTE_SLUG = "nzi-code"
DEFAULT_NZI_METADATA_KEY = "nzi_code"
# A punch-out session longer than a working day is an unattended open door.
MAX_SESSION_LIFETIME_MINUTES = 24 * 60

# Invoicing: the seller (the shop) as it appears on every UBL invoice.
SELLER_NAME = "seller_name"
SELLER_STREET = "seller_street"
SELLER_CITY = "seller_city"
SELLER_POSTCODE = "seller_postcode"
SELLER_COUNTRY = "seller_country"
SELLER_KVK_NUMBER = "seller_kvk_number"
SELLER_VAT_NUMBER = "seller_vat_number"
SELLER_IBAN = "seller_iban"
SELLER_PEPPOL_ENDPOINT_ID = "seller_peppol_endpoint_id"
SELLER_PEPPOL_ENDPOINT_SCHEME = "seller_peppol_endpoint_scheme"
INVOICE_NUMBER_PREFIX = "invoice_number_prefix"
PAYMENT_TERMS_DAYS = "payment_terms_days"
INVOICE_RULE_SETS = "invoice_extra_rule_sets"
SELLER_LOGO = "seller_logo"

# The Dashboard console.
DASHBOARD_PUBLIC_URL = "dashboard_public_url"
DASHBOARD_ORIGIN = "dashboard_origin"

# Greeting cards: size and bleed in millimetres, text limits. The defaults: A6
# landscape with 3 mm bleed, and a text that fits it beside the logo.
CARD_WIDTH_MM = "card_width_mm"
CARD_HEIGHT_MM = "card_height_mm"
CARD_BLEED_MM = "card_bleed_mm"
CARD_MAX_LINES = "card_max_lines"
CARD_MAX_LINE_CHARACTERS = "card_max_line_characters"
# (smallest, largest) allowed for each card setting.
CARD_BOUNDS: dict[str, tuple[float, float]] = {
    CARD_WIDTH_MM: (50, 420),
    CARD_HEIGHT_MM: (50, 420),
    CARD_BLEED_MM: (0, 10),
    CARD_MAX_LINES: (1, 40),
    CARD_MAX_LINE_CHARACTERS: (5, 200),
}

DEFAULT_SELLER_COUNTRY = "NL"
DEFAULT_PEPPOL_ENDPOINT_SCHEME = "0106"  # KvK number
DEFAULT_INVOICE_NUMBER_PREFIX = "OCI-"
DEFAULT_PAYMENT_TERMS_DAYS = 30
MAX_PAYMENT_TERMS_DAYS = 365
# The number is also the attached file's name (<number>.xml): no slashes, no spaces.
INVOICE_NUMBER_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9._-]{0,20}")

_KVK_NUMBER = re.compile(r"[0-9]{8}")
_VAT_NUMBER = re.compile(r"[A-Z]{2}[A-Z0-9+*.]{2,12}")
_DUTCH_VAT_NUMBER = re.compile(r"NL[0-9]{9}B[0-9]{2}")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_DUTCH_IBAN_LENGTH = 18
_PEPPOL_SCHEME = re.compile(r"[0-9]{4}")
_PEPPOL_IDENTIFIER = re.compile(r"\S{1,50}")
# What ReportLab draws (through Pillow) and every PDF reader shows.
LOGO_EXTENSIONS = (".png", ".jpg", ".jpeg")


def is_absolute_http_url(url: str) -> bool:
    """Whether ``url`` can be a storefront URL: absolute http(s), no whitespace."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(character.isspace() for character in url)
    )


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL with nothing after the
    origin but an optional ``/``; None for anything else."""
    url = url.strip()
    if not is_absolute_http_url(url):
        return None
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    if parts.username or parts.password:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def parse_public_url(value: object) -> str | None:
    """The console's public base URL without a trailing slash; None when invalid."""
    url = str(value or "").strip()
    parts = urlsplit(url)
    if not is_absolute_http_url(url) or parts.query or parts.fragment:
        return None
    if parts.username or parts.password:
        return None
    return url.rstrip("/")


def _dashboard_from_values(values: dict) -> DashboardConfiguration:
    return DashboardConfiguration(
        public_url=parse_public_url(values.get(DASHBOARD_PUBLIC_URL)) or "",
        dashboard_origin=origin_of(str(values.get(DASHBOARD_ORIGIN) or "")) or "",
    )


def parse_card_setting(name: str, value: object) -> float | None:
    """A card setting's number within its bounds; None when not an allowed one."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    low, high = CARD_BOUNDS[name]
    return number if low <= number <= high else None


def _cards_from_values(values: dict) -> CardFormat:
    defaults = CardFormat()

    def number(name: str, default: float) -> float:
        parsed = parse_card_setting(name, values.get(name, ""))
        return default if parsed is None else parsed

    return CardFormat(
        width_mm=number(CARD_WIDTH_MM, defaults.width_mm),
        height_mm=number(CARD_HEIGHT_MM, defaults.height_mm),
        bleed_mm=number(CARD_BLEED_MM, defaults.bleed_mm),
        max_lines=int(number(CARD_MAX_LINES, defaults.max_lines)),
        max_line_characters=int(
            number(CARD_MAX_LINE_CHARACTERS, defaults.max_line_characters)
        ),
    )


def _cards_errors(values: dict) -> dict[str, ValidationError]:
    errors: dict[str, ValidationError] = {}
    for name, (low, high) in CARD_BOUNDS.items():
        value = values.get(name)
        if value in (None, ""):
            continue
        parsed = parse_card_setting(name, value)
        whole = name in (CARD_MAX_LINES, CARD_MAX_LINE_CHARACTERS)
        if parsed is None or (whole and parsed != int(parsed)):
            errors[name] = _invalid(
                f"Must be a {'whole ' if whole else ''}number from {low:g} to {high:g}."
            )
    return errors


def parse_lifetime_minutes(value: object) -> int | None:
    """Return the lifetime in minutes, or None when the value is not an allowed one."""
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes if 1 <= minutes <= MAX_SESSION_LIFETIME_MINUTES else None


def compact(value: object) -> str:
    """Identifiers as printed ("NL91 ABNA 0417 1643 00") to their compact form."""
    return "".join(str(value or "").split()).upper()


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: the shape, then the mod-97 check (ISO 7064) over the whole IBAN."""
    iban = compact(iban)
    if not _IBAN_SHAPE.fullmatch(iban):
        return False
    if iban.startswith("NL") and len(iban) != _DUTCH_IBAN_LENGTH:
        return False
    rearranged = iban[4:] + iban[:4]
    # Letters count as 10 (A) to 35 (Z); base 36 gives exactly that.
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def parse_payment_terms_days(value: object) -> int | None:
    """Days until payment is due, or None when the value is not an allowed one."""
    try:
        days = int(str(value).strip())
    except ValueError:
        return None
    return days if 0 <= days <= MAX_PAYMENT_TERMS_DAYS else None


def parse_rule_set_paths(value: object) -> tuple[str, ...]:
    """One path per line; blank lines are ignored."""
    return tuple(line.strip() for line in str(value or "").splitlines() if line.strip())


def _number_prefix(values: dict) -> str:
    # Missing: never saved, the default; saved empty: numbers without a prefix.
    prefix = str(
        values.get(INVOICE_NUMBER_PREFIX, DEFAULT_INVOICE_NUMBER_PREFIX) or ""
    ).strip()
    if INVOICE_NUMBER_PREFIX_PATTERN.fullmatch(prefix):
        return prefix
    return DEFAULT_INVOICE_NUMBER_PREFIX


def _invoicing_from_values(values: dict) -> InvoicingConfiguration:
    def text(name: str, default: str = "") -> str:
        return str(values.get(name) or default).strip()

    days = parse_payment_terms_days(values.get(PAYMENT_TERMS_DAYS))
    payment_terms_days = DEFAULT_PAYMENT_TERMS_DAYS if days is None else days

    return InvoicingConfiguration(
        seller_name=text(SELLER_NAME),
        seller_street=text(SELLER_STREET),
        seller_city=text(SELLER_CITY),
        seller_postcode=text(SELLER_POSTCODE),
        seller_country=text(SELLER_COUNTRY, DEFAULT_SELLER_COUNTRY).upper(),
        seller_kvk_number=compact(values.get(SELLER_KVK_NUMBER)),
        seller_vat_number=compact(values.get(SELLER_VAT_NUMBER)),
        seller_iban=compact(values.get(SELLER_IBAN)),
        seller_peppol_endpoint_id=text(SELLER_PEPPOL_ENDPOINT_ID),
        seller_peppol_endpoint_scheme=text(
            SELLER_PEPPOL_ENDPOINT_SCHEME, DEFAULT_PEPPOL_ENDPOINT_SCHEME
        ),
        number_prefix=_number_prefix(values),
        payment_terms_days=payment_terms_days,
        extra_rule_sets=parse_rule_set_paths(values.get(INVOICE_RULE_SETS)),
        seller_logo=text(SELLER_LOGO),
    )


def config_from_items(items: list[dict]) -> OCIConfiguration:
    """Build the configuration from Saleor's list of ``{"name", "value"}`` items.

    Values are validated when saved (``validate_configuration``); one that is unset,
    or was written around that check, falls back to its default rather than break
    every request that loads the plugin.
    """
    values = {item["name"]: item["value"] for item in items}
    lifetime = parse_lifetime_minutes(values.get(SESSION_LIFETIME_MINUTES))
    return OCIConfiguration(
        storefront_url=(values.get(STOREFRONT_URL) or "").strip(),
        session_lifetime_minutes=lifetime or DEFAULT_SESSION_LIFETIME_MINUTES,
        # Missing: never saved, the default; saved empty: switched off.
        nzi_attribute_slug=(
            values.get(NZI_ATTRIBUTE_SLUG, DEFAULT_NZI_ATTRIBUTE_SLUG) or ""
        ).strip(),
        nzi_metadata_key=(
            values.get(NZI_METADATA_KEY, DEFAULT_NZI_METADATA_KEY) or ""
        ).strip(),
        invoicing=_invoicing_from_values(values),
        dashboard=_dashboard_from_values(values),
        cards=_cards_from_values(values),
    )


def validate_configuration(items: list[dict]) -> None:
    """Raise a ``ValidationError`` per field that a shop operator set wrongly."""
    values = {item["name"]: item["value"] for item in items}
    errors: dict[str, ValidationError] = {}

    storefront_url = (values.get(STOREFRONT_URL) or "").strip()
    if storefront_url and not is_absolute_http_url(storefront_url):
        errors[STOREFRONT_URL] = ValidationError(
            "The storefront URL must be an absolute http(s) URL, "
            "for example https://shop.example.com/punchout.",
            code=PluginErrorCode.INVALID.value,
        )

    lifetime = values.get(SESSION_LIFETIME_MINUTES)
    if lifetime not in (None, "") and parse_lifetime_minutes(lifetime) is None:
        errors[SESSION_LIFETIME_MINUTES] = ValidationError(
            "The session lifetime must be a whole number of minutes between 1 "
            f"and {MAX_SESSION_LIFETIME_MINUTES}.",
            code=PluginErrorCode.INVALID.value,
        )

    errors.update(_invoicing_errors(values))
    errors.update(_dashboard_errors(values))
    errors.update(_cards_errors(values))

    if errors:
        raise ValidationError(errors)


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code=PluginErrorCode.INVALID.value)


def _dashboard_errors(values: dict) -> dict[str, ValidationError]:
    errors: dict[str, ValidationError] = {}
    public_url = str(values.get(DASHBOARD_PUBLIC_URL) or "").strip()
    if public_url and parse_public_url(public_url) is None:
        errors[DASHBOARD_PUBLIC_URL] = _invalid(
            "The public URL must be an absolute http(s) URL without query, "
            "for example https://api.shop.example.com."
        )
    origin = str(values.get(DASHBOARD_ORIGIN) or "").strip()
    if origin and origin_of(origin) is None:
        errors[DASHBOARD_ORIGIN] = _invalid(
            "The Dashboard origin is scheme, host and port only, for example "
            "https://dashboard.shop.example.com (no path)."
        )
    return errors


def _invoicing_errors(values: dict) -> dict[str, ValidationError]:
    """Field errors for the invoicing fields; empty values are allowed when saved
    (an invoice request names what is still missing)."""
    errors: dict[str, ValidationError] = {}
    country = str(values.get(SELLER_COUNTRY) or "").strip().upper()
    if country and not (len(country) == 2 and countries.alpha2(country)):
        errors[SELLER_COUNTRY] = _invalid(
            "The seller's country must be an ISO 3166-1 alpha-2 code, e.g. NL."
        )
    kvk = compact(values.get(SELLER_KVK_NUMBER))
    if kvk and not _KVK_NUMBER.fullmatch(kvk):
        errors[SELLER_KVK_NUMBER] = _invalid(
            "The KvK number has exactly 8 digits, e.g. 30123456."
        )
    vat = compact(values.get(SELLER_VAT_NUMBER))
    if vat and not _VAT_NUMBER.fullmatch(vat):
        errors[SELLER_VAT_NUMBER] = _invalid(
            "The VAT number starts with its country code, e.g. NL001234567B01."
        )
    elif vat.startswith("NL") and not _DUTCH_VAT_NUMBER.fullmatch(vat):
        errors[SELLER_VAT_NUMBER] = _invalid(
            "A Dutch VAT number is NL, 9 digits, B and 2 digits, e.g. NL001234567B01."
        )
    iban = compact(values.get(SELLER_IBAN))
    if iban and not iban_is_valid(iban):
        errors[SELLER_IBAN] = _invalid(
            "This is not a valid IBAN: its check digits do not match (or its "
            "length is wrong for its country). Copy it from a bank statement."
        )
    scheme = str(values.get(SELLER_PEPPOL_ENDPOINT_SCHEME) or "").strip()
    if scheme and not _PEPPOL_SCHEME.fullmatch(scheme):
        errors[SELLER_PEPPOL_ENDPOINT_SCHEME] = _invalid(
            "The Peppol endpoint scheme is a 4-digit EAS code, e.g. 0106 (KvK)."
        )
    endpoint = str(values.get(SELLER_PEPPOL_ENDPOINT_ID) or "").strip()
    if endpoint and not _PEPPOL_IDENTIFIER.fullmatch(endpoint):
        errors[SELLER_PEPPOL_ENDPOINT_ID] = _invalid(
            "The Peppol endpoint identifier has 1 to 50 characters and no spaces."
        )
    elif (
        endpoint
        and (scheme or DEFAULT_PEPPOL_ENDPOINT_SCHEME) == DEFAULT_PEPPOL_ENDPOINT_SCHEME
        and not _KVK_NUMBER.fullmatch(endpoint)
    ):
        errors[SELLER_PEPPOL_ENDPOINT_ID] = _invalid(
            "With scheme 0106 the Peppol endpoint is the 8-digit KvK number."
        )
    prefix = str(values.get(INVOICE_NUMBER_PREFIX) or "").strip()
    if not INVOICE_NUMBER_PREFIX_PATTERN.fullmatch(prefix):
        errors[INVOICE_NUMBER_PREFIX] = _invalid(
            "The invoice number prefix has at most 20 letters, digits, '.', '_' "
            "or '-' (it is also the invoice file's name)."
        )
    days = values.get(PAYMENT_TERMS_DAYS)
    if days not in (None, "") and parse_payment_terms_days(days) is None:
        errors[PAYMENT_TERMS_DAYS] = _invalid(
            "The payment terms are a whole number of days between 0 and "
            f"{MAX_PAYMENT_TERMS_DAYS}."
        )
    logo = str(values.get(SELLER_LOGO) or "").strip()
    if logo:
        errors.update(_logo_errors(logo))
    bad_paths = [
        path
        for path in parse_rule_set_paths(values.get(INVOICE_RULE_SETS))
        if not (os.path.isabs(path) and os.path.isfile(path))
    ]
    if bad_paths:
        errors[INVOICE_RULE_SETS] = _invalid(
            "Each line must be the absolute path of a compiled rule set (XSLT "
            "producing SVRL) that exists on the server; not found: "
            + ", ".join(bad_paths)
        )
    return errors


def _logo_errors(name: str) -> dict[str, ValidationError]:
    # Imported here: storage backends may reach for settings or the network.
    from django.core.files.storage import default_storage

    if not name.lower().endswith(LOGO_EXTENSIONS):
        return {
            SELLER_LOGO: _invalid(
                "The seller logo must be a PNG or JPEG image (.png, .jpg, .jpeg)."
            )
        }
    try:
        exists = default_storage.exists(name)
    except Exception:  # a name the storage refuses, e.g. one leaving its root
        exists = False
    if not exists:
        return {
            SELLER_LOGO: _invalid(
                f"There is no file {name!r} in the shop's media storage; upload the "
                "logo there first and give its name, e.g. logos/shop.png."
            )
        }
    return {}
