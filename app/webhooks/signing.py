"""Standard Webhooks signatures (https://www.standardwebhooks.com), both ways.

`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
base64-decoded part of a `whsec_<base64>` secret. Several space-separated signatures may
be sent (during a key rotation); one valid `v1` is enough.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# Beyond this either way, a signed message is refused: it limits what a replay can do.
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
# Signatures are 44 characters; anything much longer is not worth parsing.
MAX_SIGNATURE_HEADER = 1000
# Unix times in seconds have 10 digits until the year 2286; more is garbage, and a few
# hundred digits would overflow the float arithmetic below.
MAX_TIMESTAMP_DIGITS = 12


class SignatureError(Exception):
    """Why a message's signature was refused (for logs; clients only hear "invalid")."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def _digest(secret: str, message_id: str, timestamp: int, body: bytes) -> bytes:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(_key(secret), signed, hashlib.sha256).digest()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    return "v1," + base64.b64encode(_digest(secret, message_id, timestamp, body)).decode()


def signature_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime) -> str:
    """The message's `webhook-id` if the signature is valid and fresh; else SignatureError.

    `headers` must look names up case-insensitively (Starlette's Headers do). Whatever
    the headers hold, the only exception is SignatureError: a malformed header is a bad
    signature, never a crash.
    """
    message_id = headers.get("webhook-id", "")
    raw_timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (message_id and raw_timestamp and signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    if len(message_id) > 255 or len(signatures) > MAX_SIGNATURE_HEADER:
        raise SignatureError("oversized header")
    if (
        not raw_timestamp.isascii()
        or not raw_timestamp.isdigit()
        or len(raw_timestamp) > MAX_TIMESTAMP_DIGITS
    ):
        raise SignatureError("webhook-timestamp is not a Unix time in seconds")
    timestamp = int(raw_timestamp)
    age = now.timestamp() - timestamp
    if abs(age) > TIMESTAMP_TOLERANCE.total_seconds():
        raise SignatureError("timestamp too old" if age > 0 else "timestamp too new")
    expected = _digest(secret, message_id, timestamp, body)
    for candidate in signatures.split(" "):
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, given):
            return message_id
    raise SignatureError("no matching signature")
