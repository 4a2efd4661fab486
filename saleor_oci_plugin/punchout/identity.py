"""The person behind a punch-in: which member of the organisation shops.

The connection is the technical login the whole organisation shares; the person
arrives in further parameters (user id, e-mail, names) that the procurement system
sends through the buyer's browser. They are an assertion made with the shared
credentials, so they can only ever name someone of the connection's own
organisation: never a staff account, never a member of another organisation, never
an account that is not a member. An orderer the shop does not know yet is created
as an ORDERER of the connection's branch, when the connection allows it, with an
account that cannot sign in with a password until it is invited.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from saleor.account.events import customer_account_created_event
from saleor.account.models import User
from saleor.account.search import update_user_search_vector

from ..buyers.models import Member, MemberRole
from .models import Connection

# The identity values a punch-in may carry, and the parameter names each comes
# under unless the connection adds its own (names match ignoring case). SAP SRM's
# catalog call structure sends system fields (SY-UNAME, the user's e-mail and
# name) under names the customer chooses; these are the common ones.
DEFAULT_IDENTITY_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "user_id": ("USER_ID", "USERID", "UNAME"),
    "email": ("USER_EMAIL", "EMAIL"),
    "first_name": ("FIRST_NAME", "FIRSTNAME"),
    "last_name": ("LAST_NAME", "LASTNAME"),
}
IDENTITY_KEYS = tuple(DEFAULT_IDENTITY_PARAMETERS)

# One answer for every account that cannot be named, so that a punch-in learns
# nothing about who has an account at the shop.
NOT_A_MEMBER = (
    "The orderer named by your procurement system cannot shop for this "
    "organisation. Ask your organisation's administrator or the shop."
)


@dataclass(frozen=True)
class Identity:
    """The person a punch-in names; empty values where none was sent."""

    user_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""

    @classmethod
    def from_login(cls, login: Mapping[str, str]) -> "Identity":
        return cls(**{key: (login.get(key) or "").strip() for key in IDENTITY_KEYS})

    def __bool__(self) -> bool:
        return bool(self.user_id or self.email)


class IdentityRefused(Exception):
    """The punch-in named a person who may not shop: ``message`` is shown to them,
    ``detail`` only recorded."""

    def __init__(self, status: int, message: str, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


def find_orderer(connection: Connection, identity: Identity) -> Member | None:
    """The member the punch-in names, created when unknown and allowed; None when
    it names nobody (the connection's customer shops). Raise IdentityRefused."""
    if not identity:
        return None
    email = _checked_email(identity.email)
    member = _member_by_user_id(connection, identity.user_id)
    if member is None and email:
        member = _member_by_email(connection, email)
        if member is not None and identity.user_id:
            member = _link_user_id(member, identity.user_id)
    if member is None:
        member = _create_orderer(connection, identity, email)
    if not member.is_active or not member.user.is_active:
        raise IdentityRefused(
            403,
            "Your account at this shop is deactivated. Ask your organisation's "
            "administrator.",
            f"member {member.pk} is deactivated",
        )
    if member.user.is_staff:
        raise IdentityRefused(403, NOT_A_MEMBER, f"member {member.pk} is staff")
    return member


def _checked_email(email: str) -> str:
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as error:
        raise IdentityRefused(
            400,
            "The orderer's e-mail address sent by your procurement system is not "
            "a valid address.",
            f"invalid e-mail {email!r}",
        ) from error
    return email.lower()


def _member_by_user_id(connection: Connection, user_id: str) -> Member | None:
    if not user_id:
        return None
    return (
        Member.objects.select_related("user")
        .filter(organisation_id=connection.organisation_id, external_id__iexact=user_id)
        .first()
    )


def _member_by_email(connection: Connection, email: str) -> Member | None:
    user = User.objects.select_related("oci_member").filter(email__iexact=email).first()
    if user is None:
        return None
    member = getattr(user, "oci_member", None)
    if user.is_staff:
        raise IdentityRefused(403, NOT_A_MEMBER, f"{email} is a staff account")
    if member is None:
        raise IdentityRefused(403, NOT_A_MEMBER, f"{email} is not a member")
    if member.organisation_id != connection.organisation_id:
        raise IdentityRefused(
            403, NOT_A_MEMBER, f"{email} is a member of another organisation"
        )
    return member


def _link_user_id(member: Member, user_id: str) -> Member:
    """Remember the procurement system's user id of a member found by e-mail."""
    if member.external_id:
        if member.external_id.lower() != user_id.lower():
            raise IdentityRefused(
                403,
                "The user id and e-mail address sent by your procurement system "
                "belong to different people at this shop. Ask your organisation's "
                "administrator.",
                f"member {member.pk} has user id {member.external_id!r}, "
                f"not {user_id!r}",
            )
        return member
    member.external_id = user_id
    try:
        with transaction.atomic():
            member.save(update_fields=["external_id"])
    except IntegrityError as error:  # another member took the id meanwhile
        raise IdentityRefused(
            409,
            "This user id is already linked to another person; punch in again.",
            f"user id {user_id!r} taken",
        ) from error
    return member


def _create_orderer(connection: Connection, identity: Identity, email: str) -> Member:
    if not connection.create_unknown_orderers:
        raise IdentityRefused(
            403,
            "The shop does not know you as an orderer of this organisation yet. "
            "Ask your organisation's administrator to invite you.",
            "unknown orderer; creating orderers is off for this connection",
        )
    if not email:
        raise IdentityRefused(
            400,
            "Your procurement system sent no e-mail address for you, and the shop "
            "needs one to create your account. Ask your administrator to add it "
            "to the punch-in.",
            f"unknown user id {identity.user_id!r} without e-mail",
        )
    try:
        with transaction.atomic():
            user = User(
                email=email,
                first_name=identity.first_name[:256],
                last_name=identity.last_name[:256],
                is_active=True,
            )
            # Until invited, the account can only be used through punch-in.
            user.set_unusable_password()
            user.save()
            update_user_search_vector(user)
            customer_account_created_event(user=user)
            member = Member.objects.create(
                organisation_id=connection.organisation_id,
                user=user,
                role=MemberRole.ORDERER,
                default_branch_id=connection.branch_id,
                external_id=identity.user_id,
            )
            if connection.branch_id is not None:
                member.branches.add(connection.branch_id)
    except IntegrityError:
        # A second punch-in of the same person created them meanwhile.
        found = _member_by_user_id(connection, identity.user_id) or _member_by_email(
            connection, email
        )
        if found is None:
            raise
        return found
    return member
