"""Secrets the app must read back, encrypted at rest.

Tokens and session ids are only ever compared, so only their digests are stored. The
webhook and integration signing secrets are different: an HMAC needs the key itself.
They are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256) under the keys of
`FOLLOWUP_ENCRYPTION_KEYS`: the first encrypts, every one decrypts, so a new key can go
first while rows written under the old ones stay readable until `followup rotate-keys`
rewrites them.

The column type does the work (`EncryptedString`), so services and the worker read and
write plaintext and no code path can forget a step. The keyring is process-wide, like
the engine: `create_app` installs the one of its settings; a process without an app
(the worker, the CLI, a migration) gets the one of the environment's settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

from app.core.config import Settings, get_settings

# A Fernet token of a `whsec_` secret is about 160 characters; room for longer ones.
ENCRYPTED_LENGTH = 255


class UnreadableSecret(RuntimeError):
    """A stored secret no configured key decrypts: a key was dropped before rotating."""

    def __init__(self) -> None:
        super().__init__(
            "A stored secret can't be decrypted with any key in FOLLOWUP_ENCRYPTION_KEYS. "
            "Was a key removed before `followup rotate-keys` re-encrypted everything?"
        )


class Keyring:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        self.keys = tuple(keys)
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        return cls(settings.encryption_key_list)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret() from None

    def rotate(self, token: str) -> str:
        """The same secret, encrypted with the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret() from None


_installed: Keyring | None = None


def install_keyring(keyring: Keyring) -> None:
    global _installed
    _installed = keyring


def current_keyring() -> Keyring:
    global _installed
    if _installed is None:
        _installed = Keyring.from_settings(get_settings())
    return _installed


class EncryptedString(TypeDecorator[str]):
    """Plaintext in Python, a Fernet token in the database."""

    impl = String(ENCRYPTED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else current_keyring().decrypt(str(value))
