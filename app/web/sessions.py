"""Server-side browser sessions: a random id in a cookie, its digest in `web_sessions`."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.core.config import Settings
from app.core.security import token_digest
from app.models import User, WebSession
from app.models.base import utcnow

COOKIE_NAME = "followup_session"
LIFETIME = timedelta(days=14)
# Sliding expiry, but written at most about once a week per session rather than on
# every page view: a session is extended only once half its lifetime has passed.
RENEW_WHEN_LEFT = LIFETIME / 2


async def start_session(session: AsyncSession, user: User) -> tuple[WebSession, str]:
    """A new session for the user and the cookie value that names it (shown only here)."""
    now = utcnow()
    # Expired rows are useless; clearing the user's own here keeps the table small.
    await session.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= now)
    )
    cookie_value = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id,
        token_hash=token_digest(cookie_value),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    await session.flush()
    return row, cookie_value


async def load_session(
    session: AsyncSession, cookie_value: str, now: datetime
) -> tuple[WebSession, User] | None:
    """The live session and its user for a cookie value, or None."""
    found = (
        await session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == token_digest(cookie_value))
        )
    ).first()
    if found is None:
        return None
    web_session, user = found
    if web_session.expires_at <= now:
        return None
    if web_session.expires_at - now < RENEW_WHEN_LEFT:
        web_session.expires_at = now + LIFETIME
        await session.flush()
    return web_session, user


async def end_session_of_cookie(session: AsyncSession, cookie_value: str) -> None:
    await session.execute(
        delete(WebSession).where(WebSession.token_hash == token_digest(cookie_value))
    )


async def end_session(session: AsyncSession, web_session: WebSession) -> None:
    await session.delete(web_session)
    await session.flush()


def set_session_cookie(response: Response, cookie_value: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE_NAME,
        cookie_value,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
