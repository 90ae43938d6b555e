"""Notification settings, the test mail, and the log the Settings page shows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Application, MailAttempt, MailMessage, User
from app.notifications.compose import compose_digest
from app.notifications.digest import digest_groups
from app.notifications.outbox import queue_mail
from app.notifications.recheck import reschedule
from app.notifications.schemas import NotificationSettings, NotificationSettingsOut
from app.notifications.tokens import MailKind
from app.policy import Recommendation
from app.policy.timeutil import local_date, user_zone
from app.recommendations.service import list_recommendations


def settings_out(user: User) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        digest=user.notify_digest, digest_time=user.digest_time, alerts=user.notify_alerts
    )


async def update_settings(
    session: AsyncSession, user: User, data: NotificationSettings
) -> NotificationSettingsOut:
    user.notify_digest = data.digest
    user.digest_time = data.digest_time
    user.notify_alerts = data.alerts
    reschedule(user)
    await session.flush()
    return settings_out(user)


async def turn_off(session: AsyncSession, user_id: uuid.UUID, kind: MailKind) -> User | None:
    """What a one-click unsubscribe does: that one kind of mail off, nothing else."""
    user = await session.get(User, user_id)
    if user is None:
        return None
    if kind == "digest":
        user.notify_digest = False
    else:
        user.notify_alerts = False
    reschedule(user)
    await session.flush()
    return user


async def queue_test_mail(
    session: AsyncSession, settings: Settings, user: User, *, now: datetime
) -> tuple[uuid.UUID, int]:
    """The digest as it would be now, queued at once, even when nothing is due."""
    message_id, steps = await queue_digest_now(session, settings, user, now=now, test=True)
    assert message_id is not None  # test mails carry no dedupe key, so never conflict
    return message_id, steps


async def queue_digest_now(
    session: AsyncSession, settings: Settings, user: User, *, now: datetime, test: bool
) -> tuple[uuid.UUID | None, int]:
    """Today's digest, now; a real one (test=False) counts as the day's only digest."""
    recs = await list_recommendations(session, user, as_of=now)
    groups = digest_groups(recs, user.timezone, now)
    steps = [rec for group in groups for rec in group.steps]
    applications = await application_names(session, user.id, steps)
    mail = compose_digest(settings, user, groups, applications, now, test=test)
    if test:
        return await queue_mail(session, user, "test", mail, now=now), len(steps)
    day = local_date(now, user_zone(user.timezone)).isoformat()
    key = digest_key(day)
    return await queue_mail(session, user, "digest", mail, now=now, dedupe_key=key), len(steps)


def digest_key(local_day: str) -> str:
    """The claim on a user's one digest of that (local) day."""
    return f"digest:{local_day}"


@dataclass(frozen=True, slots=True)
class AttemptLine:
    created_at: datetime
    kind: str
    subject: str
    attempt: int
    error: str | None


async def recent_attempts(
    session: AsyncSession, user_id: uuid.UUID, limit: int = 10
) -> Sequence[AttemptLine]:
    rows = await session.execute(
        select(
            MailAttempt.created_at,
            MailAttempt.kind,
            MailMessage.subject,
            MailAttempt.attempt,
            MailAttempt.error,
        )
        .join(MailMessage, MailMessage.id == MailAttempt.message_id)
        .where(MailAttempt.user_id == user_id)
        .order_by(MailAttempt.created_at.desc())
        .limit(limit)
    )
    return [AttemptLine(*row) for row in rows]


async def application_names(
    session: AsyncSession, user_id: uuid.UUID, recs: Sequence[Recommendation]
) -> dict[str, tuple[str, str]]:
    """Company and role of each application these steps belong to, by id."""
    ids = {uuid.UUID(rec.application_id) for rec in recs if rec.application_id}
    if not ids:
        return {}
    rows = await session.execute(
        select(Application.id, Application.company, Application.role_title).where(
            Application.owner_id == user_id, Application.id.in_(ids)
        )
    )
    return {str(id_): (company, role) for id_, company, role in rows}
