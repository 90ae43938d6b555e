"""One-time messages shown on the page after a redirect ("Saved.").

Kept in a short-lived cookie, signed so nobody can make the site show a message
it never wrote (a phishing aid otherwise).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from app.core.config import Settings

COOKIE = "followup_flash"
MAX_TEXT = 600
Kind = Literal["success", "warning"]


@dataclass(frozen=True, slots=True)
class Flash:
    kind: Kind
    text: str


def _mac(settings: Settings, payload: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"flash:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def set_flash(response: Response, settings: Settings, text: str, kind: Kind = "success") -> None:
    payload = base64.urlsafe_b64encode(json.dumps([kind, text[:MAX_TEXT]]).encode()).decode()
    response.set_cookie(
        COOKIE,
        f"{payload}.{_mac(settings, payload)}",
        max_age=60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def read_flash(request: Request, settings: Settings) -> Flash | None:
    raw = request.cookies.get(COOKIE)
    if not raw or "." not in raw:
        return None
    payload, mac = raw.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(settings, payload)):
        return None
    try:
        kind, text = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, binascii.Error):
        return None
    if kind not in ("success", "warning") or not isinstance(text, str):
        return None
    return Flash(kind=kind, text=text)


def clear_flash(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
