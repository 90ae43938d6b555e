"""Password hashing and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Argon2id with pwdlib's recommended parameters.
_password_hash = PasswordHash((Argon2Hasher(),))


@cache
def _dummy_hash() -> str:
    """Verifying against this when the account doesn't exist keeps the response time
    the same, so timing doesn't tell which emails are registered.

    Made on first use, not at import: an Argon2 hash is ~0.15 s of start-up otherwise.
    """
    return _password_hash.hash("not-a-real-password")


TOKEN_PREFIX = "fu_"


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _password_hash.verify(password, _dummy_hash())
        return False
    return _password_hash.verify(password, password_hash)


def new_token() -> str:
    """A bearer token: recognisable prefix, 256 bits of randomness."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Tokens are high-entropy, so a fast hash is enough (no salt or stretching needed)
    # and it lets us look a token up by its digest in one indexed query.
    return hashlib.sha256(token.encode()).hexdigest()
