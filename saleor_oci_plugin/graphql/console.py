"""Mutations only the Dashboard console needs: a staff member's test punch-in."""

from urllib.parse import urlencode

import graphene
from django.core.exceptions import ValidationError
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.mutations import BaseMutation
from saleor.permission.enums import PluginsPermissions

from ..dashboard.manifest import DASHBOARD_PATH
from ..error_codes import OciErrorCode
from ..punchout import sessions
from ..punchout.models import Connection
from .errors import OciError
from .ids import instance_or_error
from .plugin_config import active_plugin_config

# The transferred cart of a test punch-in comes back to the console, not to an ERP.
TEST_RETURN_PATH = f"{DASHBOARD_PATH}/test-return"


class OciConnectionTestPunchIn(BaseMutation):
    url = graphene.String(
        description="The storefront with a one-time code: opening it shops as the "
        "connection. Valid once, for a few minutes."
    )

    class Arguments:
        id = graphene.ID(required=True, description="The connection.")

    class Meta:
        description = (
            "Open a punch-out session for the connection as a punch-in would, "
            "without its password (which is stored hashed), for shop staff to try "
            "the storefront as this buyer. The cart comes back to the console's "
            "test page, not to the procurement system."
        )
        error_type_class = OciError
        permissions = (PluginsPermissions.MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls, _root, info: ResolveInfo, /, *, id: str
    ) -> "OciConnectionTestPunchIn":
        config, _ = active_plugin_config(info)
        connection = instance_or_error(Connection, id, "OciConnection")
        if not connection.is_active:
            raise ValidationError(
                {
                    "id": ValidationError(
                        "The connection is inactive: activate it to punch in.",
                        code=OciErrorCode.INVALID.value,
                    )
                }
            )
        storefront_url = connection.storefront_url or config.storefront_url
        if not storefront_url:
            raise ValidationError(
                {
                    "id": ValidationError(
                        "No storefront URL is configured (plugin or connection).",
                        code=OciErrorCode.INVALID.value,
                    )
                }
            )
        if not config.dashboard.public_url:
            raise ValidationError(
                {
                    "id": ValidationError(
                        "Set the plugin's 'Console: public URL of this Saleor' first: "
                        "the test cart comes back there.",
                        code=OciErrorCode.INVALID.value,
                    )
                }
            )
        _, code = sessions.open_session(
            connection,
            sessions.PunchInContext(
                hook_url=config.dashboard.public_url + TEST_RETURN_PATH,
                target="_top",
                okcode="ADDI",
                caller="CTLG",
                oci_version=connection.oci_version,
            ),
            connection.session_lifetime_minutes or config.session_lifetime_minutes,
        )
        separator = "&" if "?" in storefront_url else "?"
        return cls(url=f"{storefront_url}{separator}{urlencode({'oci_code': code})}")


class ConsoleMutations(graphene.ObjectType):
    oci_connection_test_punch_in = OciConnectionTestPunchIn.Field()
