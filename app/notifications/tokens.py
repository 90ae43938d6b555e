"""Signed one-click unsubscribe links: who they are for and what kind of mail they stop.

The token is `<user id>.<kind>.<HMAC-SHA256 of both under the secret key>`: anyone who
holds the link may turn that one kind of mail off for that one user (that is what RFC 8058
asks for, with no login), and changing any part of it breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from typing import Literal

MailKind = Literal["digest", "alerts"]
KINDS: tuple[MailKind, ...] = ("digest", "alerts")


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    user_id: uuid.UUID
    kind: MailKind


def _signature(secret_key: str, user_id: uuid.UUID, kind: str) -> str:
    # A purpose prefix keeps these signatures from being valid anywhere else the key signs.
    message = f"followup-unsubscribe:{user_id.hex}:{kind}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def unsubscribe_token(secret_key: str, user_id: uuid.UUID, kind: MailKind) -> str:
    return f"{user_id.hex}.{kind}.{_signature(secret_key, user_id, kind)}"


def read_unsubscribe_token(secret_key: str, token: str) -> Unsubscribe | None:
    """What a token asks for, or None when it is malformed, forged or altered."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    user_hex, kind, signature = parts
    if kind not in KINDS:
        return None
    try:
        user_id = uuid.UUID(hex=user_hex)
    except ValueError:
        return None
    if user_id.hex != user_hex:  # one spelling only, so the signed text is the token's
        return None
    expected = _signature(secret_key, user_id, kind)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return None
    return Unsubscribe(user_id, "digest" if kind == "digest" else "alerts")
