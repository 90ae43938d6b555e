"""Accounts and bearer tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import PoolProxiedConnection

from app.auth.schemas import ApiTokenIn, MePatch, RegisterIn
from app.core.driver import DriverQuery
from app.core.errors import Conflict, NotFound, Unauthorized, Unprocessable
from app.core.loaded import attach_loaded, columns_of
from app.core.security import hash_password, new_token, token_digest, verify_password
from app.models import ApiToken, User, WebSession
from app.models.base import utcnow

# Writing last_used_at on every request would turn each read into a write;
# a minute's precision is plenty to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    user: User | None = await session.scalar(
        select(User).where(User.email == normalise_email(email))
    )
    return user


async def create_user(
    session: AsyncSession, *, email: str, password: str, name: str, timezone: str = "UTC"
) -> User:
    email = normalise_email(email)
    if await user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.")
    user = User(email=email, password_hash=hash_password(password), name=name, timezone=timezone)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict("An account with this email already exists.") from exc
    return user


async def register(session: AsyncSession, data: RegisterIn) -> User:
    return await create_user(
        session, email=data.email, password=data.password, name=data.name, timezone=data.timezone
    )


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await user_by_email(session, email)
    if not verify_password(password, user.password_hash if user else None):
        return None
    return user


async def update_me(session: AsyncSession, user: User, data: MePatch) -> User:
    changes = data.changes()
    current = changes.pop("current_password", None)
    if ("password" in changes or "email" in changes) and (
        current is None or not verify_password(current, user.password_hash)
    ):
        raise Unprocessable(
            "Give your current password to change your email or password.",
            loc=["body", "current_password"],
        )
    if "email" in changes:
        email = normalise_email(changes.pop("email"))
        if email != user.email:
            if await user_by_email(session, email) is not None:
                raise Conflict("An account with this email already exists.")
            user.email = email
    if "password" in changes:
        user.password_hash = hash_password(changes.pop("password"))
        # Whoever knew the old password may hold a browser session made with it: end
        # them all (the web client starts a fresh one for the browser that asked).
        await session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    for field, value in changes.items():
        setattr(user, field, value)
    await session.flush()
    return user


async def issue_token(
    session: AsyncSession,
    user: User,
    *,
    kind: str,
    name: str,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    token = new_token()
    row = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=token_digest(token),
        prefix=token[:10],
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row, token


async def issue_access_token(session: AsyncSession, user: User, ttl: timedelta) -> str:
    now = utcnow()
    # Expired access tokens are dead weight: drop them whenever a new one is issued.
    await session.execute(
        delete(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.kind == "access", ApiToken.expires_at < now
        )
    )
    _, token = await issue_token(session, user, kind="access", name="login", expires_at=now + ttl)
    return token


async def create_personal_token(
    session: AsyncSession, user: User, data: ApiTokenIn
) -> tuple[ApiToken, str]:
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Unprocessable("expires_at must be in the future.", loc=["body", "expires_at"])
    return await issue_token(
        session, user, kind="personal", name=data.name, expires_at=data.expires_at
    )


async def list_personal_tokens(session: AsyncSession, user: User) -> Sequence[ApiToken]:
    rows = await session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.kind == "personal")
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return rows.all()


async def get_personal_token(session: AsyncSession, user: User, token_id: uuid.UUID) -> ApiToken:
    row = await session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.kind == "personal"
        )
    )
    if row is None:
        raise NotFound("token")
    return row


async def revoke_personal_token(session: AsyncSession, user: User, token_id: uuid.UUID) -> None:
    await session.delete(await get_personal_token(session, user, token_id))
    await session.flush()


# Runs on every API request: built once, run on the driver (app/core/driver.py), and
# reads the user's columns and the token's few, rather than ORM objects; the user is
# then attached to the session as loaded (app/core/loaded.py), without the ORM's
# loading. last_used_at (written about once a minute) is updated without an object.
_TOKEN_OWNER = DriverQuery(
    select(
        *columns_of(User),
        ApiToken.id,
        ApiToken.expires_at,
        ApiToken.last_used_at,
    )
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


_USER_ID = columns_of(User).index(User.__table__.c.id)


async def user_for_token(session: AsyncSession, token: str) -> User:
    """The token's user, or 401. Also notes when the token was last used."""
    return attach_loaded(session, User, await _token_owner(session, token))


async def caller_id_for_token(session: AsyncSession, token: str) -> uuid.UUID:
    """`user_for_token`'s user's id, checked and noted the same way, for a caller that
    needs nothing else: it doesn't build the ORM's User (4 % of a list's fast path)."""
    user_id: uuid.UUID = (await _token_owner(session, token))[_USER_ID]
    return user_id


async def _token_owner(session: AsyncSession, token: str) -> Sequence[Any]:
    """The token's user's `columns_of(User)`, or 401; notes when the token was used."""
    now = utcnow()
    found = await _TOKEN_OWNER.fetch(session, {"digest": token_digest(token)})
    user_values, unnoted = _checked(found, now)
    if unnoted is not None:
        await session.execute(
            update(ApiToken).where(ApiToken.id == unnoted).values(last_used_at=now)
        )
    return user_values


def caller_check_runs_pooled(dialect: Dialect) -> bool:
    """Whether `caller_id_on_pooled` can run on this dialect's driver."""
    return _TOKEN_OWNER.runs_pooled(dialect)


async def caller_id_on_pooled(
    pooled: PoolProxiedConnection, dialect: Dialect, token: str
) -> tuple[uuid.UUID, bool]:
    """`caller_id_for_token`'s check on a connection held outside any session (the
    list's fast path): the user's id, and whether the token's last_used_at is due the
    write that this read leaves to `caller_id_for_token`."""
    found = await _TOKEN_OWNER.fetch_pooled(pooled, dialect, {"digest": token_digest(token)})
    user_values, unnoted = _checked(found, utcnow())
    user_id: uuid.UUID = user_values[_USER_ID]
    return user_id, unnoted is not None


def _checked(found: Sequence[Any], now: datetime) -> tuple[list[Any], uuid.UUID | None]:
    """The user's columns from `_TOKEN_OWNER`'s rows, or 401; and the token's id if its
    last_used_at is older than `LAST_USED_PRECISION` (so due a write), else None."""
    if not found:
        raise Unauthorized("The token is not valid or has been revoked.")
    user_values: list[Any]
    *user_values, token_id, expires_at, last_used_at = found[0]
    if expires_at is not None and expires_at <= now:
        raise Unauthorized("The token has expired.")
    if last_used_at is None or now - last_used_at > LAST_USED_PRECISION:
        return user_values, token_id
    return user_values, None


async def user_id_for_token(session: AsyncSession, token: str) -> uuid.UUID | None:
    """The owner of a live token, without side effects (for middleware)."""
    row = await session.execute(
        select(ApiToken.user_id, ApiToken.expires_at).where(
            ApiToken.token_hash == token_digest(token)
        )
    )
    found = row.first()
    if found is None or (found.expires_at is not None and found.expires_at <= utcnow()):
        return None
    user_id: uuid.UUID = found.user_id
    return user_id
