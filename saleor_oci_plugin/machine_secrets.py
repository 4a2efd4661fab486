"""Machine secrets (the cXML shared secret, the UBL order token) as keyed hashes.

These secrets are long random values a machine sends with every purchase order,
not passwords a person chose: a slow password hash adds nothing against guessing
them, but costs about a quarter of a second of CPU for every request, a wrong
one included. So they are stored as HMAC-SHA256 under a key derived from Django's
``SECRET_KEY`` (``salted_hmac`` with this module's own salt): cheap to check
(microseconds), compared in constant time, and useless to someone who reads the
database without the key.

Rotating ``SECRET_KEY``: hashes made under a key listed in
``SECRET_KEY_FALLBACKS`` still match, and are re-stored under the current key at
their first successful use.

Older rows: a cXML secret stored as a Django password hash (before this format)
still matches, through the password hasher, and is re-stored keyed on its first
successful use; until then each wrong secret against such a row costs one
password hash. An order token stored as a plain SHA-256 (the older format) is
found the same way and re-stored keyed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

KEYED_PREFIX = "hmac-sha256$"
_SALT = "saleor_oci_plugin.machine_secrets"


def _keys() -> Iterator[str | bytes]:
    yield settings.SECRET_KEY
    yield from getattr(settings, "SECRET_KEY_FALLBACKS", ())


def _digest(secret: str, key: str | bytes) -> str:
    return salted_hmac(_SALT, secret, secret=key, algorithm="sha256").hexdigest()


def token_digest(secret: str) -> str:
    """The keyed digest (64 hex digits) of a secret under the current key."""
    return _digest(secret, settings.SECRET_KEY)


def token_digests(secret: str) -> list[str]:
    """Every digest the secret may be stored under: current key, fallbacks, then
    the older unkeyed SHA-256 (order tokens before keyed hashes)."""
    digests = [_digest(secret, key) for key in _keys()]
    digests.append(hashlib.sha256(secret.encode()).hexdigest())
    return digests


def hash_machine_secret(secret: str) -> str:
    """The stored form of a machine secret: ``hmac-sha256$<64 hex digits>``."""
    return KEYED_PREFIX + token_digest(secret)


def is_keyed(stored: str) -> bool:
    return stored.startswith(KEYED_PREFIX)


@dataclass(frozen=True)
class SecretCheck:
    """Whether a secret matched, and the form to store instead (or None)."""

    matches: bool
    restore_as: str | None = None


def check_machine_secret(secret: str, stored: str) -> SecretCheck:
    """Check ``secret`` against its stored form, in constant time for keyed hashes.

    A match under a fallback key, or against an older password hash, asks for the
    secret to be re-stored (``restore_as``) under the current key.
    """
    if not stored or not secret:
        return SecretCheck(False)
    if is_keyed(stored):
        digest = stored.removeprefix(KEYED_PREFIX)
        for number, key in enumerate(_keys()):
            if hmac.compare_digest(_digest(secret, key), digest):
                return SecretCheck(
                    True, hash_machine_secret(secret) if number else None
                )
        return SecretCheck(False)
    # The older format: a Django password hash. Slow, once per stored secret.
    from django.contrib.auth.hashers import check_password

    if check_password(secret, stored):
        return SecretCheck(True, hash_machine_secret(secret))
    return SecretCheck(False)
