"""CSRF protection for every form.

Signed-in forms echo the session's own random token. Forms shown before there is a
session (log in, sign up) use a signed double-submit cookie instead, so a login CSRF
(logging a victim into the attacker's account) fails too. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from app.core.config import Settings
from app.models import WebSession

FIELD = "csrf_token"
ANON_COOKIE = "followup_csrf"


class CsrfRejected(Exception):
    """A form arrived without the token it was served with: answered 403, nothing done."""


def tokens_match(expected: str, submitted: object) -> bool:
    if not isinstance(submitted, str) or not submitted or not expected:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def check_session_token(web_session: WebSession, submitted: object) -> None:
    if not tokens_match(web_session.csrf_token, submitted):
        raise CsrfRejected


def _sign(settings: Settings, cookie_value: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"anon-csrf:{cookie_value}".encode(), hashlib.sha256).hexdigest()


def anonymous_token(request: Request, settings: Settings) -> tuple[str, str | None]:
    """The form token for a visitor without a session, and a new cookie value if needed."""
    cookie_value = request.cookies.get(ANON_COOKIE)
    new_cookie = None
    if not cookie_value or len(cookie_value) > 100:
        cookie_value = new_cookie = secrets.token_urlsafe(32)
    return _sign(settings, cookie_value), new_cookie


def check_anonymous_token(request: Request, settings: Settings, submitted: object) -> None:
    cookie_value = request.cookies.get(ANON_COOKIE)
    if not cookie_value or not tokens_match(_sign(settings, cookie_value), submitted):
        raise CsrfRejected


def set_anonymous_cookie(response: Response, cookie_value: str, settings: Settings) -> None:
    # A session cookie (no max_age): it only has to outlive one visit to the form.
    response.set_cookie(
        ANON_COOKIE,
        cookie_value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
