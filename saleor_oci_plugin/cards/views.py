"""Serving card and batch PDFs from private storage, to staff only.

The request authenticates as Saleor's API does, with ``Authorization: Bearer
<access token>`` (a staff user's JWT); the user needs MANAGE_ORDERS. A customer's
token gets 403, no or a broken token 401.
"""

import re

import jwt
from django.http import HttpRequest, HttpResponse
from saleor.core import private_storage
from saleor.core.auth_backend import load_user_from_request
from saleor.permission.enums import OrderPermissions

from ..dataclasses import OCIConfiguration
from .records import STORAGE_DIRECTORY

# What store_pdf names files: no path separators, nothing else reaches storage.
_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,200}\.pdf")


def card_pdf(
    request: HttpRequest, _config: OCIConfiguration, name: str
) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _plain(405, "Use GET.")
    try:
        user = load_user_from_request(request)
    except jwt.InvalidTokenError:
        user = None
    if user is None or not user.is_active:
        response = _plain(401, "Sign in: send a staff access token as Bearer.")
        response["WWW-Authenticate"] = 'Bearer realm="saleor"'
        return response
    if not (user.is_staff and user.has_perm(OrderPermissions.MANAGE_ORDERS)):
        return _plain(403, "Card PDFs are for staff with MANAGE_ORDERS.")
    if not _FILE_NAME.fullmatch(name):
        return _plain(404, "No such card PDF.")
    path = f"{STORAGE_DIRECTORY}/{name}"
    if not private_storage.exists(path):
        return _plain(404, "No such card PDF.")
    # Card PDFs are small (a batch of 500 cards with a logo: about 0.5 MB).
    with private_storage.open(path, "rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
