"""For which branch, and on which cost centre, a punch-out cart is ordered.

A session starts with the member's default branch and cost centre (else the
connection's branch and that branch's default); the orderer may choose another
branch they may order for and one of its cost centres. The choice travels in the
OCI form (the connection's ``cost_centre_field``) and becomes the order's cost
centre when the purchase order names none.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Prefetch

from .. import oci
from ..buyers.models import Branch, CostCentre, Member
from ..error_codes import OciErrorCode
from . import sessions
from .models import Connection, PunchoutSession


def branch_choices(
    organisation_id: int,
    member: Member | None,
    connection_branch_id: int | None = None,
    *,
    database: str = DEFAULT_DB_ALIAS,
) -> list[Branch]:
    """The branches one may order for, with their cost centres prefetched.

    A member: the branches they are given, else all of the organisation's. A
    connection's own customer: the connection's branch, else all of them.
    """
    branches = (
        Branch.objects.using(database)
        .filter(organisation_id=organisation_id)
        .prefetch_related(
            Prefetch("cost_centres", queryset=CostCentre.objects.using(database))
        )
    )
    if member is not None:
        own = list(
            Branch.objects.using(database)
            .filter(members=member)
            .values_list("pk", flat=True)
        )
        if own:
            branches = branches.filter(pk__in=own)
    elif connection_branch_id is not None:
        branches = branches.filter(pk=connection_branch_id)
    return list(branches)


def cost_centre_codes(branch: Branch) -> list[str]:
    """The branch's cost centres (its default one first when it has no list)."""
    codes = [centre.code for centre in branch.cost_centres.all()]
    if branch.default_cost_centre and branch.default_cost_centre not in codes:
        codes.insert(0, branch.default_cost_centre)
    return codes


def default_choice(
    connection: Connection, member: Member | None
) -> tuple[Branch | None, str]:
    """The branch and cost centre a new session starts with."""
    branch = None
    if member is not None and member.default_branch_id is not None:
        branch = member.default_branch
    if branch is None:
        branch = connection.branch
    cost_centre = (member.default_cost_centre if member else "") or (
        branch.default_cost_centre if branch else ""
    )
    return branch, cost_centre


def choose(
    session: PunchoutSession, branch_id: int | None, cost_centre: str
) -> PunchoutSession:
    """Set the open session's branch (None: keep it) and cost centre ("": none).

    Refused with a field error, writing nothing: a closed session, a branch the
    session may not order for, a cost centre the branch does not have or that is
    longer than the connection's OCI field can carry.
    """
    with transaction.atomic():
        session = (
            PunchoutSession.objects.select_for_update(of=("self",))
            .select_related("connection", "member")
            .get(pk=session.pk)
        )
        sessions.ensure_session_open(session)
        sessions.ensure_session_editable(session)
        connection = session.connection
        choices = {
            branch.pk: branch
            for branch in branch_choices(
                connection.organisation_id, session.member, connection.branch_id
            )
        }
        chosen_branch_id = session.branch_id if branch_id is None else branch_id
        branch = choices.get(chosen_branch_id) if chosen_branch_id else None
        if branch_id is not None and branch is None:
            raise _error(
                "branch",
                "You cannot order for this branch.",
                OciErrorCode.NOT_FOUND,
            )
        cost_centre = cost_centre.strip()
        if cost_centre:
            check_fits_field(cost_centre, connection, "cost_centre")
            if branch is None or cost_centre not in cost_centre_codes(branch):
                raise _error(
                    "cost_centre",
                    f"Cost centre {cost_centre!r} is not one of the branch's "
                    f"cost centres.",
                    OciErrorCode.INVALID,
                )
        session.branch = branch
        session.cost_centre = cost_centre
        session.save(update_fields=["branch", "cost_centre"])
    return session


def field_length(connection: Connection) -> int | None:
    """How many characters the connection's cost-centre field carries."""
    field = oci.FIELDS_BY_NAME.get(connection.cost_centre_field)
    return field.max_length if field else None


def check_fits_field(
    codes: str | Sequence[str], connection: Connection, error_field: str
) -> None:
    """Refuse a cost centre longer than the connection's OCI field: it is never
    cut at transfer time."""
    limit = field_length(connection)
    for code in [codes] if isinstance(codes, str) else codes:
        if limit is not None and oci.oci_length(code) > limit:
            raise _error(
                error_field,
                f"Cost centre {code!r} is longer than the {limit} characters "
                f"the procurement system's field {connection.cost_centre_field} "
                f"takes.",
                OciErrorCode.INVALID,
            )


def check_fits_organisation(
    codes: Sequence[str], organisation_id: int, error_field: str
) -> None:
    """``check_fits_field`` for every connection of the organisation."""
    for connection in Connection.objects.filter(organisation_id=organisation_id):
        check_fits_field(codes, connection, error_field)


def _error(field: str, message: str, code: OciErrorCode) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code.value)})
