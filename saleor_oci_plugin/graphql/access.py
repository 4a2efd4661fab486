"""Who may manage which buyer organisation through GraphQL.

Shop staff with ``MANAGE_PLUGINS`` manage every organisation. An organisation's
active ``ADMIN`` member manages their own, signed in with their password (an
ordinary customer token): a token issued at punch-in never does, even for an
admin, since it proves only the procurement system's shared credentials and an
identity it asserted. Anything of another organisation is reported exactly as
something that does not exist (``NOT_FOUND``), so that its existence is not
revealed; an ``ORDERER`` or any other customer gets Saleor's PermissionDenied.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model
from saleor.core.exceptions import PermissionDenied
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.context import SaleorContext, get_database_connection_name
from saleor.graphql.core.mutations import BaseMutation
from saleor.graphql.utils import get_user_or_app_from_context
from saleor.permission.enums import PluginsPermissions
from saleor.permission.utils import has_one_of_permissions

from ..buyers.models import BuyerOrganisation, Member, MemberRole
from ..error_codes import OciErrorCode
from ..punchout.sessions import punchout_session_of
from .ids import instance_or_error

MANAGE_PLUGINS = PluginsPermissions.MANAGE_PLUGINS

PUNCHOUT_CANNOT_MANAGE = (
    "A punch-out session cannot manage the organisation: sign in to the portal "
    "with your e-mail address and password."
)
NOT_A_MANAGER = (
    "Only shop staff with MANAGE_PLUGINS or an administrator of the organisation "
    "can do this."
)


@dataclass(frozen=True)
class Access:
    """The requester's standing: staff, or a member of one organisation."""

    staff: bool
    member: Member | None
    punchout: bool

    @property
    def admin(self) -> Member | None:
        """The requester's membership when it manages its organisation."""
        member = self.member
        if (
            member is None
            or self.punchout
            or not member.is_active
            or member.role != MemberRole.ADMIN
        ):
            return None
        return member

    def manages(self, organisation_id: int) -> bool:
        admin = self.admin
        return self.staff or (
            admin is not None and admin.organisation_id == organisation_id
        )


def access_of(context: SaleorContext) -> Access:
    """The requester's access, worked out once per request."""
    cached = getattr(context, "_oci_access", None)
    if cached is not None:
        return cached
    requester = get_user_or_app_from_context(context)
    staff = requester is not None and has_one_of_permissions(
        requester, [MANAGE_PLUGINS]
    )
    # Saleor's context.user is a lazy object that may wrap None: test its truth.
    user = getattr(context, "user", None)
    member = None
    if user and user.is_authenticated and not user.is_staff:
        member = (
            Member.objects.using(get_database_connection_name(context))
            .select_related("organisation", "user")
            .filter(user_id=user.pk, user__is_active=True)
            .first()
        )
    access = Access(
        staff=staff,
        member=member,
        punchout=punchout_session_of(context) is not None,
    )
    context._oci_access = access
    return access


def require_manager(context: SaleorContext) -> Access:
    """The requester's access if it may manage some organisation, else raise
    PermissionDenied saying why."""
    access = access_of(context)
    if access.staff or access.admin is not None:
        return access
    if access.member is not None and access.punchout:
        raise PermissionDenied(PUNCHOUT_CANNOT_MANAGE)
    raise PermissionDenied(NOT_A_MANAGER)


def managed_organisation_id(
    info: ResolveInfo, global_id: str | None, field: str = "organisation"
) -> int:
    """The organisation a management call is about.

    Staff name it; an admin may leave it out for their own. Another
    organisation's ID is answered as an unknown one.
    """
    access = require_manager(info.context)
    if global_id is None:
        if access.admin is not None:
            return access.admin.organisation_id
        raise ValidationError(
            {
                field: ValidationError(
                    "Name the organisation.", code=OciErrorCode.REQUIRED.value
                )
            }
        )
    return managed_instance(
        info, BuyerOrganisation, global_id, "OciOrganisation", field
    ).pk


def managed_instance[M: Model](
    info: ResolveInfo,
    model: type[M],
    global_id: str,
    type_name: str,
    field: str = "id",
) -> M:
    """The row with this global ID when the requester manages its organisation;
    otherwise the same NOT_FOUND error as for an ID that names nothing."""
    access = require_manager(info.context)
    instance = instance_or_error(model, global_id, type_name, field)
    if not access.manages(organisation_id_of(instance)):
        raise ValidationError(
            {
                field: ValidationError(
                    f"No {type_name} has the ID {global_id}.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )
    return instance


def organisation_id_of(instance: Model) -> int:
    """The buyer organisation a row of the plugin belongs to."""
    if isinstance(instance, BuyerOrganisation):
        return instance.pk
    return instance.organisation_id  # type: ignore[attr-defined]


class OrganisationManagerMutation(BaseMutation):
    """A mutation for staff with MANAGE_PLUGINS or an organisation's admin; the
    mutation itself checks that the rows it touches are the requester's."""

    class Meta:
        abstract = True

    @classmethod
    def check_permissions(cls, context, permissions=None, **data) -> bool:
        require_manager(context)
        return True
