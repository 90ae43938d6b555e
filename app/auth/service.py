"""Accounts and bearer tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.caller import Caller
from app.auth.schemas import ApiTokenIn, MePatch, RegisterIn
from app.core.errors import Conflict, NotFound, Unauthorized, Unprocessable
from app.core.pagination import PageParams, paginate
from app.core.security import hash_password, new_token, token_digest, verify_password
from app.models import ApiToken, User, WebSession
from app.models.base import utcnow
from app.notifications.recheck import reschedule


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
        # Whoever knew the old password may have signed in with it: end every browser
        # session and access token (the web client starts a fresh session for the
        # browser that asked). Personal tokens were made on purpose and stay.
        await end_sign_ins(session, user)
    if changes.get("timezone", user.timezone) != user.timezone:
        reschedule(user)  # the digest's hour and "today" move with the clock
    for field, value in changes.items():
        setattr(user, field, value)
    await session.flush()
    return user


async def end_sign_ins(session: AsyncSession, user: User) -> None:
    """End everything a password sign-in made: browser sessions and access tokens."""
    await session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    await session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == "access")
    )


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


async def page_personal_tokens(
    session: AsyncSession, user: User, params: PageParams
) -> tuple[Sequence[ApiToken], str | None]:
    """One page of them, newest first, like every other list of the API."""
    return await paginate(
        session,
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == "personal"),
        sort_column=ApiToken.created_at,
        id_column=ApiToken.id,
        params=params,
    )


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


async def revoke_personal_tokens(session: AsyncSession, user: User) -> None:
    await session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == "personal")
    )


# Built once: it runs on every authenticated request.
_TOKEN_OWNER = (
    select(User, ApiToken.id, ApiToken.expires_at, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


async def caller_for_token(session: AsyncSession, token: str) -> Caller:
    """The token's user and the token, or 401.

    One statement on every authenticated request: the user comes back as an entity of
    the request's session, so routes that change the user change this object.
    """
    found = (await session.execute(_TOKEN_OWNER, {"digest": token_digest(token)})).first()
    if found is None:
        raise Unauthorized("The token is not valid or has been revoked.")
    user, token_id, expires_at, last_used_at = found
    if expires_at is not None and expires_at <= utcnow():
        raise Unauthorized("The token has expired.")
    return Caller(user=user, user_id=user.id, token_id=token_id, last_used_at=last_used_at)
