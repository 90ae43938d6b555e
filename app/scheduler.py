"""The scheduler: each tick looks only at users with something due, whatever their number.

Every user carries `next_check_at`, the next instant at which a step of theirs can become
due (the policy engine's horizon, app/policy/horizon.py) or their digest is due. Every
change to their data sets it to the epoch (the data_version triggers), so they are looked
at on the next tick. A tick claims the users whose instant has passed (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, so workers running at once share them and never take the same
one), and in the same transaction decides what is due: `recommendation.due` webhooks, an
alert per high-priority step, the daily digest. It then stores each user's next instant.
An idle tick is one indexed query. Killed mid-batch, the transaction rolls back: the
users are still due, nothing was decided, and the next tick starts over.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.models import User
from app.notifications.compose import compose_alert, compose_digest
from app.notifications.digest import DigestGroup, digest_groups, next_digest_at
from app.notifications.outbox import queue_mail
from app.notifications.service import application_names, digest_key
from app.policy import Recommendation
from app.policy.timeutil import local_date, user_zone
from app.recommendations.cache import Steps
from app.recommendations.service import open_steps_for, steps_at
from app.webhooks.scheduler import emit_due, listening_for_due

logger = logging.getLogger("followup.scheduler")

DEFAULT_TICK_BATCH = 200
# A user whose handling failed is looked at again after this long.
RETRY_AFTER = timedelta(minutes=5)
# Alerts are for steps that have just become due: one that fell due longer ago than this
# (before alerts were turned on, or while the worker was down for days) waits for the
# digest instead of arriving as a burst of stale alerts.
ALERT_WINDOW = timedelta(days=1)


class Recommender(Protocol):
    """open_steps' shape: the user's open steps at as_of, and until when they hold."""

    def __call__(self, session: AsyncSession, user: User, as_of: datetime) -> Awaitable[Steps]: ...


@dataclass(slots=True)
class TickResult:
    users: int = 0
    webhooks: int = 0
    alerts: int = 0
    digests: int = 0
    failed: int = 0


async def run_tick(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime,
    recommender: Recommender | None = None,
    batch_size: int = DEFAULT_TICK_BATCH,
) -> TickResult:
    """Handle every user due by `now`, a batch per transaction.

    `recommender` replaces the engine (tests); by default each batch's steps are loaded
    together, in the same few queries for 200 users as for one.
    """
    result = TickResult()
    while True:
        async with sessionmaker() as session:
            users = await claim_users(session, now=now, limit=batch_size)
            if users:
                # One query for the whole batch: most users have no webhook subscription.
                listening = await listening_for_due(session, [u.id for u in users])
                steps_of = recommender or await _batch_recommender(session, users, now)
                for user in users:
                    await _handle(
                        session, settings, user, user.id in listening, now, steps_of, result
                    )
            await session.commit()
        result.users += len(users)
        if len(users) < batch_size:
            return result


async def _batch_recommender(
    session: AsyncSession, users: Sequence[User], now: datetime
) -> Recommender:
    steps = await open_steps_for(session, users, now)

    async def recommender(session: AsyncSession, user: User, as_of: datetime) -> Steps:
        return steps[user.id]

    return recommender


async def claim_users(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[User]:
    """The users whose next instant has passed, locked for this transaction."""
    return (
        await session.scalars(
            select(User)
            .where(User.next_check_at <= now)
            .order_by(User.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def _handle(
    session: AsyncSession,
    settings: Settings,
    user: User,
    listening: bool,
    now: datetime,
    recommender: Recommender,
    result: TickResult,
) -> None:
    user_id = user.id
    try:
        plan = await plan_user(session, user, listening, now, recommender)
        if plan.writes:
            # A savepoint, only around writes: one user's trouble rolls back only what was
            # decided for them, and a user with nothing to send costs no round trip here.
            async with session.begin_nested():
                await carry_out(session, settings, user, plan, now, result)
    except Exception:
        logger.exception("scheduling user %s failed; trying again later", user_id)
        result.failed += 1
        user.next_check_at = now + RETRY_AFTER
        return
    # Written with the batch's other users, in one statement at the commit.
    user.next_check_at = plan.next_check
    user.digest_due_at = plan.digest_due_at


@dataclass(slots=True)
class Plan:
    """What is due for one user now, decided before anything is written."""

    webhooks: list[Recommendation] = field(default_factory=list)
    alerts: list[Recommendation] = field(default_factory=list)
    digest: list[DigestGroup] = field(default_factory=list)
    next_check: datetime | None = None
    digest_due_at: datetime | None = None

    @property
    def writes(self) -> bool:
        return bool(self.webhooks or self.alerts or self.digest)


async def plan_user(
    session: AsyncSession, user: User, listening: bool, now: datetime, recommender: Recommender
) -> Plan:
    """What is due for one claimed user, and their next instant (None: never).

    `listening`: whether they have a webhook subscription to recommendation.due.
    """
    plan = Plan()
    if not (listening or user.notify_alerts or user.notify_digest):
        return plan
    steps = await recommender(session, user, now)
    recs = steps_at(steps, now)
    due = [rec for rec in recs if rec.due_at <= now]
    instants: list[datetime] = []
    if listening:
        plan.webhooks = due
    if listening or user.notify_alerts:
        instants.append(steps.end)
    if user.notify_alerts:
        plan.alerts = [r for r in due if r.priority == "high" and r.due_at > now - ALERT_WINDOW]
    if user.notify_digest:
        plan.digest_due_at = user.digest_due_at
        if plan.digest_due_at is not None and plan.digest_due_at <= now:
            plan.digest = digest_groups(recs, user.timezone, now)  # never an empty one
            plan.digest_due_at = None
        if plan.digest_due_at is None:
            plan.digest_due_at = next_digest_at(user.timezone, user.digest_time, now)
        instants.append(plan.digest_due_at)
    plan.next_check = min(instants)
    return plan


async def carry_out(
    session: AsyncSession,
    settings: Settings,
    user: User,
    plan: Plan,
    now: datetime,
    result: TickResult,
) -> None:
    """Queue what the plan holds; each kind claimed by its unique row, so never twice."""
    if plan.webhooks:
        result.webhooks += await emit_due(session, user.id, plan.webhooks, now)
    if plan.alerts or plan.digest:
        steps = [*plan.alerts, *(rec for group in plan.digest for rec in group.steps)]
        applications = await application_names(session, user.id, steps)
        for rec in plan.alerts:
            mail = compose_alert(settings, user, rec, applications, now)
            key = f"alert:{rec.id}"
            if await queue_mail(session, user, "alert", mail, now=now, dedupe_key=key):
                result.alerts += 1
        if plan.digest:
            mail = compose_digest(settings, user, plan.digest, applications, now)
            # Keyed by the user's calendar day: one a day, whatever changes their settings.
            day = local_date(now, user_zone(user.timezone)).isoformat()
            key = digest_key(day)
            if await queue_mail(session, user, "digest", mail, now=now, dedupe_key=key):
                result.digests += 1
