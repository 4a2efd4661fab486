"""Celery tasks of business accounts, on Saleor's own Celery app and workers."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from saleor.celeryconf import app
from saleor.core.db.connection import allow_writer
from saleor.core.tokens import password_reset_token_generator
from saleor.core.utils.url import prepare_url
from saleor.site.models import Site

from .models import Member

INVITATION_TASK = "saleor_oci_plugin.buyers.tasks.send_invitation_task"


@app.task(
    name=INVITATION_TASK,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
@allow_writer()
def send_invitation_task(member_pk: int, redirect_url: str) -> None:
    """Mail a member Saleor's set-password link, where no Saleor mail does.

    The token is made here, not where the task was queued, so that it is never
    stored in the broker; it is Saleor's own (the one ``setPassword`` checks).
    """
    member = (
        Member.objects.select_related("user", "organisation")
        .filter(pk=member_pk)
        .first()
    )
    if member is None or not member.is_active:
        return
    send_invitation_mail(member, redirect_url)


def send_invitation_mail(member: Member, redirect_url: str) -> None:
    user = member.user
    token = password_reset_token_generator.make_token(user)
    link = prepare_url(urlencode({"email": user.email, "token": token}), redirect_url)
    shop = Site.objects.get_current().name or "the shop"
    greeting = f"Hello {user.first_name}," if user.first_name else "Hello,"
    body = (
        f"{greeting}\n\n"
        f"{member.organisation.name} has given you an account at {shop} to "
        "order for your organisation. Choose your password here:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not expect this message, you can ignore "
        "it.\n"
    )
    EmailMessage(
        subject=f"Your account at {shop}: choose a password",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    ).send()
