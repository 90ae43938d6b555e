"""The user's calendar (interviews and next steps) and the secret feed URL for it."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.calendar.ics import InterviewEntry, render_calendar
from app.core.errors import NotFound
from app.models import Application, CalendarFeed, Interview, User
from app.models.base import utcnow
from app.recommendations.service import list_recommendations

FEED_SECRET_PREFIX = "cal_"


async def calendar_for(session: AsyncSession, user: User) -> bytes:
    now = utcnow()
    interviews = (
        await session.scalars(
            select(Interview)
            .where(Interview.owner_id == user.id)
            .options(selectinload(Interview.application), selectinload(Interview.interviewers))
            .order_by(Interview.starts_at, Interview.id)
        )
    ).all()
    applications = (
        await session.execute(
            select(Application.id, Application.company, Application.role_title).where(
                Application.owner_id == user.id
            )
        )
    ).all()
    return render_calendar(
        calendar_name=f"Followup: {user.name}",
        timezone=user.timezone,
        interviews=[_entry(i) for i in interviews],
        next_steps=await list_recommendations(session, user, as_of=now),
        companies={str(a.id): f"{a.role_title} at {a.company}" for a in applications},
        now=now,
    )


def _entry(interview: Interview) -> InterviewEntry:
    application = interview.application
    people = sorted(f"{p.name}, {p.title}" if p.title else p.name for p in interview.interviewers)
    return InterviewEntry(
        id=str(interview.id),
        company=application.company,
        role_title=application.role_title,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        kind=interview.kind,
        round=interview.round,
        people=people,
        topics=interview.topics,
        job_url=application.job_url,
        updated_at=interview.updated_at,
        version=interview.version,
    )


def _digest(secret: str) -> str:
    # High-entropy secret: a plain SHA-256 is enough and allows an indexed lookup.
    return hashlib.sha256(secret.encode()).hexdigest()


async def new_feed_secret(session: AsyncSession, user: User) -> str:
    """A fresh secret; any previous one stops working in the same transaction."""
    await revoke_feed(session, user)
    secret = FEED_SECRET_PREFIX + secrets.token_urlsafe(32)
    session.add(CalendarFeed(user_id=user.id, secret_hash=_digest(secret)))
    await session.flush()
    return secret


async def feed_of(session: AsyncSession, user: User) -> CalendarFeed | None:
    """The user's feed, if one is on (its secret can't be read back: only its hash is kept)."""
    feed: CalendarFeed | None = await session.scalar(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id)
    )
    return feed


async def revoke_feed(session: AsyncSession, user: User) -> None:
    await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    await session.flush()


async def user_for_feed_secret(session: AsyncSession, secret: str) -> User:
    user = await session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.secret_hash == _digest(secret))
    )
    if user is None:
        raise NotFound("calendar feed")
    return user
