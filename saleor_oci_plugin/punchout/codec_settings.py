"""A connection's stored settings as the OCI codec's objects.

The one place that reads a connection's JSON settings into codec values; invalid
settings raise the codec's SettingsError listing every problem (the connection
management validates with these same functions before saving).
"""

from collections.abc import Mapping

from ..oci import HookURLPolicy, LoginParameters, OCIMapping
from .identity import DEFAULT_IDENTITY_PARAMETERS
from .models import Connection

# The CartItem extra value holding the orderer's cost centre.
COST_CENTRE_KEY = "cost_centre"
COST_CENTRE_SOURCE = f"extra.{COST_CENTRE_KEY}"


def login_parameters(connection: Connection) -> LoginParameters:
    """Default names (USERNAME, PASSWORD) plus the connection's aliases, and the
    optional identity values (user id, e-mail, names) under their names."""
    aliases = connection.parameter_aliases or {}
    credentials = {
        "username": ["USERNAME", *aliases.get("USERNAME", ())],
        "password": ["PASSWORD", *aliases.get("PASSWORD", ())],
    }
    return LoginParameters.from_dict(
        {
            **credentials,
            **{
                key: {"aliases": names, "required": False}
                for key, names in identity_parameter_names(
                    connection, credentials
                ).items()
            },
        }
    )


def identity_parameter_names(
    connection: Connection, credentials: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Per identity value: the connection's own names, then the defaults that no
    credential uses (a connection may send its user name as USER_ID)."""
    if credentials is None:
        aliases = connection.parameter_aliases or {}
        credentials = {
            key: [key, *aliases.get(key, ())] for key in ("USERNAME", "PASSWORD")
        }
    taken = {name.upper() for names in credentials.values() for name in names}
    own = connection.identity_parameters or {}
    names: dict[str, list[str]] = {}
    for key, defaults in DEFAULT_IDENTITY_PARAMETERS.items():
        chosen = list(own.get(key) or ())
        chosen += [
            name
            for name in defaults
            if name.upper() not in taken
            and name.upper() not in {other.upper() for other in chosen}
        ]
        names[key] = chosen
    return names


def hook_url_policy(connection: Connection) -> HookURLPolicy:
    return HookURLPolicy.from_settings(
        connection.hook_url_allowlist or (),
        allow_http=connection.allow_http_hook_url,
        allow_sapevent=connection.allow_sapevent_hook_url,
    )


def oci_mapping(connection: Connection) -> OCIMapping:
    """The field rules in ``field_mapping``, with the connection's own NZI field,
    cost-centre field, unit overrides and price precision."""
    field_mapping = dict(connection.field_mapping or {})
    fields = field_mapping.get("fields") or {}
    if isinstance(fields, Mapping):
        # The orderer's cost centre (the item's extra value, see transfer.py).
        field_mapping["fields"] = {
            **fields,
            connection.cost_centre_field: {"from": [COST_CENTRE_SOURCE]},
        }
    return OCIMapping.from_dict(
        {
            **field_mapping,
            "nzi_field": connection.nzi_field,
            "units": {"overrides": connection.unit_map or {}},
            "price_decimals": connection.price_precision,
        }
    )
