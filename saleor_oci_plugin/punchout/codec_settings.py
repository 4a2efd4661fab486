"""A connection's stored settings as the OCI codec's objects.

The one place that reads a connection's JSON settings into codec values; invalid
settings raise the codec's SettingsError listing every problem (the connection
management validates with these same functions before saving).
"""

from ..oci import HookURLPolicy, LoginParameters, OCIMapping
from .models import Connection


def login_parameters(connection: Connection) -> LoginParameters:
    """Default names (USERNAME, PASSWORD) plus the connection's aliases."""
    aliases = connection.parameter_aliases or {}
    return LoginParameters.from_dict(
        {
            "username": ["USERNAME", *aliases.get("USERNAME", ())],
            "password": ["PASSWORD", *aliases.get("PASSWORD", ())],
        }
    )


def hook_url_policy(connection: Connection) -> HookURLPolicy:
    return HookURLPolicy.from_settings(
        connection.hook_url_allowlist or (),
        allow_http=connection.allow_http_hook_url,
        allow_sapevent=connection.allow_sapevent_hook_url,
    )


def oci_mapping(connection: Connection) -> OCIMapping:
    """The field rules in ``field_mapping``, with the connection's own NZI field,
    unit overrides and price precision."""
    return OCIMapping.from_dict(
        {
            **(connection.field_mapping or {}),
            "nzi_field": connection.nzi_field,
            "units": {"overrides": connection.unit_map or {}},
            "price_decimals": connection.price_precision,
        }
    )
