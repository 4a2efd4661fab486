"""The people of a buyer organisation: members, their roles, branches and invitations.

A member is a Saleor customer account linked to one organisation. Staff and the
organisation's administrators add them here (an account that cannot sign in with a
password until invited) and invite them with Saleor's own set-password flow: the
``ACCOUNT_SET_CUSTOMER_PASSWORD`` notification that Saleor's User emails plugin or
an App listening to ``NOTIFY_USER`` delivers, plus the same link by the plugin's
own mail (Django's mail settings, as invoices go) where neither is set up for the
channel. The link is Saleor's: ``<redirectUrl>?email=...&token=...``, for the
``setPassword`` mutation.
"""

from collections.abc import Sequence
from typing import Literal, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from saleor.account.events import customer_account_created_event
from saleor.account.models import User
from saleor.account.notifications import send_set_password_notification
from saleor.account.search import update_user_search_vector
from saleor.channel.models import Channel
from saleor.core.utils.url import validate_storefront_url
from saleor.plugins.manager import PluginsManager
from saleor.plugins.user_email.constants import PLUGIN_ID as USER_EMAILS_PLUGIN_ID
from saleor.webhook.event_types import WebhookEventAsyncType
from saleor.webhook.utils import get_webhooks_for_event

from ..error_codes import OciErrorCode
from .models import Branch, CostCentre, Member, MemberRole

# Said for every e-mail address that cannot become a member here, so that an
# organisation's administrator learns nothing of other organisations or staff.
EMAIL_NOT_AVAILABLE = (
    "This e-mail address belongs to an account that cannot be added to your "
    "organisation. Ask the shop."
)

InvitationDelivery = Literal["saleor", "plugin_mail"]
COST_CENTRE_MAX_LENGTH = 64


class MemberData(TypedDict, total=False):
    """A member's settings; on update, only the keys given change."""

    role: str
    first_name: str
    last_name: str
    branch_ids: list[int]
    default_branch_id: int | None
    default_cost_centre: str
    is_active: bool
    external_id: str


def create_member(
    organisation_id: int, email: str, data: MemberData, *, by_staff: bool
) -> Member:
    """Add a person to the organisation: a new customer account, or (staff only)
    an existing customer account that is no member yet."""
    email = _checked_email(email)
    member = Member(organisation_id=organisation_id)
    _apply(member, data, creating=True)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            if user.is_staff or hasattr(user, "oci_member") or not by_staff:
                raise _error("email", EMAIL_NOT_AVAILABLE, OciErrorCode.UNIQUE)
        else:
            user = User(email=email)
            user.set_unusable_password()  # signs in once invited
        user.first_name = data.get("first_name", user.first_name)[:256]
        user.last_name = data.get("last_name", user.last_name)[:256]
        created = user.pk is None
        try:
            with transaction.atomic():
                user.save()
                member.user = user
                member.save()
        except IntegrityError as error:  # the same address added twice at once
            raise _error("email", EMAIL_NOT_AVAILABLE, OciErrorCode.UNIQUE) from error
        _save_branches(member, data)
        update_user_search_vector(user)
        if created:
            customer_account_created_event(user=user)
    return member


def update_member(member: Member, data: MemberData) -> Member:
    """Change the given settings of a member; deactivating keeps the account, its
    orders and invoices, and stops punch-in and portal sign-in."""
    with transaction.atomic():
        # Serialise changes of one organisation, so that two admins cannot demote
        # each other at once and leave it without one.
        Member.objects.select_for_update().filter(
            organisation_id=member.organisation_id, role=MemberRole.ADMIN
        ).exists()
        was_admin = member.is_active and member.role == MemberRole.ADMIN
        _apply(member, data, creating=False)
        member.save()
        _save_branches(member, data)
        user = member.user
        changed = [
            field
            for field in ("first_name", "last_name")
            if field in data and getattr(user, field) != data[field][:256]  # type: ignore[literal-required]
        ]
        for field in changed:
            setattr(user, field, data[field][:256])  # type: ignore[literal-required]
        if changed:
            user.save(update_fields=[*changed, "updated_at"])
            update_user_search_vector(user)
        if was_admin and not (member.is_active and member.role == MemberRole.ADMIN):
            _check_an_admin_remains(member)
    return member


def invite(
    member: Member,
    redirect_url: str,
    manager: PluginsManager,
    channel_slug: str | None = None,
) -> InvitationDelivery:
    """Send the member Saleor's set-password link; say who delivers it.

    The link's host must be one of Saleor's ``ALLOWED_CLIENT_HOSTS``. Saleor's own
    notification goes out in any case (an App may listen to it); where the channel
    has neither the User emails plugin nor an App on NOTIFY_USER, the plugin mails
    the link itself after the transaction commits.
    """
    try:
        validate_storefront_url(redirect_url)
    except ValidationError as error:
        raise _error(
            "redirect_url", " ".join(error.messages), OciErrorCode.INVALID
        ) from error
    channel = _invitation_channel(member, channel_slug)
    if not member.is_active:
        raise _error(
            "id",
            "This member is deactivated; activate them before inviting.",
            OciErrorCode.INVALID,
        )
    user = member.user
    send_set_password_notification(redirect_url, user, manager, channel.slug)
    Member.objects.filter(pk=member.pk).update(invited_at=timezone.now())
    if _saleor_delivers_account_mails(manager, channel.slug):
        return "saleor"
    from . import tasks  # the Celery app is only imported where mail is sent

    transaction.on_commit(
        lambda: tasks.send_invitation_task.delay(member.pk, redirect_url)
    )
    return "plugin_mail"


def _saleor_delivers_account_mails(manager: PluginsManager, channel_slug: str) -> bool:
    plugin = manager.get_plugin(USER_EMAILS_PLUGIN_ID, channel_slug)
    if plugin is not None and plugin.active:
        return True
    return get_webhooks_for_event(WebhookEventAsyncType.NOTIFY_USER).exists()


def _invitation_channel(member: Member, channel_slug: str | None) -> Channel:
    """The given channel, else that of the organisation's first active connection."""
    channels = Channel.objects.filter(is_active=True)
    if channel_slug:
        channel = channels.filter(slug=channel_slug).first()
    else:
        channel = channels.filter(
            pk__in=member.organisation.connections.filter(is_active=True).values(
                "channel_id"
            )
        ).first()
    if channel is None:
        raise _error(
            "channel",
            "Name an active channel: the organisation has no active connection to "
            "take one from."
            if not channel_slug
            else f"No active channel has the slug {channel_slug!r}.",
            OciErrorCode.NOT_FOUND if channel_slug else OciErrorCode.REQUIRED,
        )
    return channel


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise _error(
            "email", "Enter a valid e-mail address.", OciErrorCode.INVALID
        ) from error
    return email.lower()


def _apply(member: Member, data: MemberData, *, creating: bool) -> None:
    """Check the given settings against the organisation and set them."""
    from ..punchout import ordering

    problems: dict[str, list[ValidationError]] = {}

    def problem(field: str, message: str, code: OciErrorCode) -> None:
        problems.setdefault(field, []).append(ValidationError(message, code=code.value))

    if "role" in data and data["role"] not in MemberRole.values:
        problem("role", "The role must be ADMIN or ORDERER.", OciErrorCode.INVALID)
    branches = _organisation_branches(member.organisation_id)
    if "branch_ids" in data:
        unknown = set(data["branch_ids"]) - set(branches)
        if unknown:
            problem(
                "branches",
                "Every branch must be one of the organisation's.",
                OciErrorCode.NOT_FOUND,
            )
    allowed = data.get(
        "branch_ids",
        [] if creating else list(member.branches.values_list("pk", flat=True)),
    )
    default_branch_id = data.get(
        "default_branch_id", None if creating else member.default_branch_id
    )
    if default_branch_id is not None and (
        default_branch_id not in branches
        or (allowed and default_branch_id not in allowed)
    ):
        problem(
            "default_branch",
            "The default branch must be one of the branches the member orders for.",
            OciErrorCode.INVALID,
        )
    cost_centre = data.get(
        "default_cost_centre", "" if creating else member.default_cost_centre
    ).strip()
    if cost_centre and "default_cost_centre" in data:
        branch = branches.get(default_branch_id) if default_branch_id else None
        if branch is None or cost_centre not in ordering.cost_centre_codes(branch):
            problem(
                "default_cost_centre",
                "The default cost centre must be one of the default branch's.",
                OciErrorCode.INVALID,
            )
    if "external_id" in data and "\x00" in data["external_id"]:
        problem(
            "external_id", "The value contains a NUL character.", OciErrorCode.INVALID
        )
    names = (
        ("first_name", data.get("first_name", "")),
        ("last_name", data.get("last_name", "")),
    )
    for field, value in names:
        if "\x00" in value:
            problem(field, "The value contains a NUL character.", OciErrorCode.INVALID)
    if problems:
        raise ValidationError(problems)
    for field in ("role", "is_active", "external_id"):
        if field in data:
            setattr(member, field, data[field])  # type: ignore[literal-required]
    if "external_id" in data:
        member.external_id = data["external_id"].strip()
        if member.external_id and (
            Member.objects.filter(
                organisation_id=member.organisation_id,
                external_id__iexact=member.external_id,
            )
            .exclude(pk=member.pk)
            .exists()
        ):
            raise _error(
                "external_id",
                "Another member of the organisation has this user id.",
                OciErrorCode.UNIQUE,
            )
    member.default_branch_id = default_branch_id
    member.default_cost_centre = cost_centre


def _save_branches(member: Member, data: MemberData) -> None:
    if "branch_ids" in data:
        member.branches.set(data["branch_ids"])


def _organisation_branches(organisation_id: int) -> dict[int, Branch]:
    return {
        branch.pk: branch
        for branch in Branch.objects.filter(
            organisation_id=organisation_id
        ).prefetch_related("cost_centres")
    }


def _check_an_admin_remains(member: Member) -> None:
    if not Member.objects.filter(
        organisation_id=member.organisation_id,
        role=MemberRole.ADMIN,
        is_active=True,
    ).exists():
        raise _error(
            "role" if member.is_active else "is_active",
            "The organisation would have no active administrator left.",
            OciErrorCode.INVALID,
        )


def set_cost_centres(
    branch: Branch, cost_centres: Sequence[tuple[str, str]], default: str | None
) -> None:
    """Replace the branch's cost centres (code, name) and set its default (None:
    keep it while it is still listed).

    A code longer than the cost-centre field of one of the organisation's
    connections is refused now, not cut when a cart is transferred.
    """
    from ..punchout import ordering

    problems: list[str] = []
    codes = [code.strip() for code, _name in cost_centres]
    if any(not code or "\x00" in code for code in codes):
        problems.append("A cost centre needs a code without NUL characters.")
    too_long = [code for code in codes if len(code) > COST_CENTRE_MAX_LENGTH]
    if too_long:
        problems.append(
            f"Cost centre {too_long[0]!r} is longer than {COST_CENTRE_MAX_LENGTH} "
            "characters."
        )
    if len(set(codes)) != len(codes):
        problems.append("Each cost centre code may be given once.")
    if default and default not in codes:
        problems.append(f"The default cost centre {default!r} is not in the list.")
    if problems:
        raise ValidationError(
            {
                "cost_centres": [
                    ValidationError(message, code=OciErrorCode.INVALID.value)
                    for message in problems
                ]
            }
        )
    ordering.check_fits_organisation(codes, branch.organisation_id, "cost_centres")
    with transaction.atomic():
        CostCentre.objects.filter(branch=branch).exclude(code__in=codes).delete()
        existing = {
            centre.code: centre for centre in CostCentre.objects.filter(branch=branch)
        }
        for code, (_code, name) in zip(codes, cost_centres, strict=True):
            centre = existing.get(code) or CostCentre(branch=branch, code=code)
            centre.name = name.strip()
            centre.save()
        if default is None:
            default = (
                branch.default_cost_centre
                if branch.default_cost_centre in codes
                else ""
            )
        branch.default_cost_centre = default
        branch.save(update_fields=["default_cost_centre"])


def _error(field: str, message: str, code: OciErrorCode) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code.value)})
