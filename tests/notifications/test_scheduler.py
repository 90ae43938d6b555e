"""The scheduler's mail: the digest at each user's own digest time, never empty, never
twice a day; an alert once per high-priority step; and only due users are looked at."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.models import Application, User
from app.models.base import EPOCH, utcnow
from app.notifications.digest import next_digest_at
from app.notifications.schemas import NotificationSettings
from app.notifications.service import update_settings
from app.policy.horizon import JUST_AFTER
from app.scheduler import run_tick
from tests.factories import (
    create_application,
    create_event,
    create_interview,
    create_interviewer,
    create_user,
)
from tests.notifications.helpers import mails

pytestmark = pytest.mark.anyio


async def _user_with_a_due_step(session: AsyncSession, email: str, timezone: str) -> User:
    """An interview that ended an hour ago with nobody recorded: a step overdue at once."""
    user = await create_user(session, email=email, timezone=timezone, notify_alerts=False)
    application = await create_application(session, user)
    await create_interview(session, application)
    return user


async def test_each_user_gets_the_digest_at_eight_on_their_own_clock(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    now = utcnow()
    users = {
        zone: await _user_with_a_due_step(session, f"{zone.split('/')[1]}@example.com", zone)
        for zone in ("Pacific/Auckland", "America/Los_Angeles")
    }
    await run_tick(sessionmaker, settings, now=now)  # first look: each digest time found
    assert await mails(session) == []

    eights = {zone: next_digest_at(zone, "08:00", now) for zone in users}

    async def digests(zone: str) -> int:
        return len(await mails(session, user_id=users[zone].id, kind="digest"))

    for zone, eight in sorted(eights.items(), key=lambda item: item[1]):
        await run_tick(sessionmaker, settings, now=eight - timedelta(seconds=1))
        assert await digests(zone) == 0
        await run_tick(sessionmaker, settings, now=eight)
        assert await digests(zone) == 1
        [digest] = await mails(session, user_id=users[zone].id, kind="digest")
        assert digest.created_at == eight
        assert digest.dedupe_key == f"digest:{eight.astimezone(ZoneInfo(zone)).date()}"
    # The rest of each one's day: nothing more, however often the scheduler looks.
    for zone, eight in eights.items():
        for hours in (1, 6, 15):
            await run_tick(sessionmaker, settings, now=eight + timedelta(hours=hours))
            assert await digests(zone) == 1
    assert len(await mails(session, kind="digest")) == 2


async def test_a_later_digest_time_the_same_day_sends_no_second_digest(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await _user_with_a_due_step(session, "twice@example.com", "Europe/Berlin")
    now = utcnow()
    await run_tick(sessionmaker, settings, now=now)
    eight = next_digest_at(user.timezone, "08:00", now)
    assert (await run_tick(sessionmaker, settings, now=eight)).digests == 1

    await session.refresh(user)  # as a request would load it
    await update_settings(session, user, NotificationSettings(digest_time="09:00"))
    await session.commit()
    nine = eight + timedelta(hours=1)
    assert (await run_tick(sessionmaker, settings, now=nine)).digests == 0
    # The next day's comes at the new time.
    assert (await run_tick(sessionmaker, settings, now=nine + timedelta(days=1))).digests == 1
    assert len(await mails(session, user_id=user.id, kind="digest")) == 2


async def test_no_digest_when_nothing_is_overdue_or_due_today_or_tomorrow(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, email="idle@example.com")
    await create_application(session, user)  # nothing to do for it yet
    now = utcnow()
    await run_tick(sessionmaker, settings, now=now)
    eight = next_digest_at("UTC", "08:00", now)
    assert (await run_tick(sessionmaker, settings, now=eight)).digests == 0
    assert await mails(session) == []


async def test_a_digest_lists_each_step_with_its_why_company_role_and_link(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await _user_with_a_due_step(session, "content@example.com", "UTC")
    now = utcnow()
    await run_tick(sessionmaker, settings, now=now)
    await run_tick(sessionmaker, settings, now=next_digest_at("UTC", "08:00", now))
    [digest] = await mails(session, kind="digest")
    message = message_from_bytes(digest.content, policy=policy.default)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "OVERDUE" in text
    assert "Acme Corp — Backend Engineer" in text
    assert "Why: " in text
    assert f"{settings.public_url}/applications/" in text
    assert "Acme Corp — Backend Engineer" in html
    assert message["To"].addresses[0].addr_spec == user.email


async def test_an_alert_once_per_high_priority_step_when_it_becomes_due(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, email="alerts@example.com", notify_digest=False)
    application = await create_application(session, user)
    grace = await create_interviewer(session, application, email="grace@acme.example")
    interview = await create_interview(session, application, [grace])
    thank_you_due = interview.ends_at + timedelta(hours=24)  # the high-priority step

    result = await run_tick(sessionmaker, settings, now=utcnow())
    assert result.alerts == 0  # nothing high-priority due yet
    await session.refresh(user)
    # Nothing to look at until that step falls due (or something changes): the engine's
    # horizon is the instant just after its due time, when it turns due.
    becomes_due = thank_you_due + JUST_AFTER
    assert user.next_check_at is not None
    assert user.next_check_at <= becomes_due
    assert (await run_tick(sessionmaker, settings, now=becomes_due)).alerts == 1
    for later in (timedelta(minutes=1), timedelta(hours=5)):
        assert (await run_tick(sessionmaker, settings, now=becomes_due + later)).alerts == 0
    [alert] = await mails(session, user_id=user.id, kind="alert")
    assert alert.subject.startswith("Due now: ")
    assert "Grace" in alert.subject


async def test_an_idle_tick_takes_nobody_and_a_change_makes_the_user_due(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await _user_with_a_due_step(session, "idle-tick@example.com", "UTC")
    now = utcnow()
    assert (await run_tick(sessionmaker, settings, now=now)).users == 1
    assert (await run_tick(sessionmaker, settings, now=now)).users == 0
    await session.refresh(user)
    assert user.next_check_at is not None
    assert user.next_check_at > now

    application = await session.scalar(select(Application).filter_by(owner_id=user.id))
    assert application is not None
    await create_event(session, application, type="note")
    await session.refresh(user)
    assert user.next_check_at == EPOCH  # the trigger marked them: looked at on the next tick
    assert (await run_tick(sessionmaker, settings, now=now)).users == 1


async def test_a_user_who_wants_no_mail_and_no_webhooks_is_never_looked_at_again(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session, notify_digest=False, notify_alerts=False)
    await run_tick(sessionmaker, settings, now=utcnow())
    await session.refresh(user)
    assert (user.next_check_at, user.digest_due_at) == (None, None)
