"""Reading and validating the plugin's Dashboard configuration."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from saleor.plugins.error_codes import PluginErrorCode

from .dataclasses import OCIConfiguration

STOREFRONT_URL = "storefront_url"
SESSION_LIFETIME_MINUTES = "session_lifetime_minutes"
NZI_ATTRIBUTE_SLUG = "nzi_attribute_slug"
NZI_METADATA_KEY = "nzi_metadata_key"

DEFAULT_SESSION_LIFETIME_MINUTES = 120
DEFAULT_NZI_ATTRIBUTE_SLUG = "nzi-code"
DEFAULT_NZI_METADATA_KEY = "nzi_code"
# A punch-out session longer than a working day is an unattended open door.
MAX_SESSION_LIFETIME_MINUTES = 24 * 60


def is_absolute_http_url(url: str) -> bool:
    """Whether ``url`` can be a storefront URL: absolute http(s), no whitespace."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(character.isspace() for character in url)
    )


def parse_lifetime_minutes(value: object) -> int | None:
    """Return the lifetime in minutes, or None when the value is not an allowed one."""
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes if 1 <= minutes <= MAX_SESSION_LIFETIME_MINUTES else None


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

    if errors:
        raise ValidationError(errors)
