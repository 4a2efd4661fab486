"""Machine secrets as keyed hashes: cheap, constant-time, and older rows still work."""

import hashlib

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from saleor_oci_plugin.machine_secrets import (
    KEYED_PREFIX,
    check_machine_secret,
    hash_machine_secret,
    token_digest,
)

SECRET = "a-long-random-machine-secret-0123456789"


def test_a_keyed_hash_matches_only_its_secret(counted_password_hashes):
    stored = hash_machine_secret(SECRET)

    assert stored.startswith(KEYED_PREFIX)
    assert SECRET not in stored
    assert check_machine_secret(SECRET, stored).matches
    assert check_machine_secret(SECRET, stored).restore_as is None
    assert not check_machine_secret(SECRET + "x", stored).matches
    assert not check_machine_secret("", stored).matches
    assert counted_password_hashes() == 0
    with pytest.raises(ValueError, match="Unknown password hashing algorithm"):
        identify_hasher(stored)


def test_the_hash_depends_on_the_secret_key(settings):
    stored = hash_machine_secret(SECRET)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    assert hash_machine_secret(SECRET) != stored
    assert not check_machine_secret(SECRET, stored).matches


def test_a_hash_under_a_fallback_key_matches_and_asks_to_be_restored(settings):
    old_key = settings.SECRET_KEY
    stored = hash_machine_secret(SECRET)
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    check = check_machine_secret(SECRET, stored)

    assert check.matches
    assert check.restore_as == hash_machine_secret(SECRET) != stored


def test_an_older_password_hash_still_matches_once_and_is_restored_keyed(
    counted_password_hashes,
):
    stored = make_password(SECRET)

    check = check_machine_secret(SECRET, stored)

    assert check.matches
    assert check.restore_as == hash_machine_secret(SECRET)
    assert not check_machine_secret("wrong", stored).matches


def test_an_order_token_digest_is_keyed_not_a_plain_sha256():
    assert token_digest(SECRET) != hashlib.sha256(SECRET.encode()).hexdigest()
    assert len(token_digest(SECRET)) == 64
