"""The worker's SQL: claim due messages under a lease, then record what became of them.

Claiming takes `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers running at
once never take the same row, and stamps `claimed_until`: a worker that dies mid-batch
leaves rows that any worker may take again once the lease runs out. (SQLite ignores
FOR UPDATE; its write lock, taken by BEGIN IMMEDIATE, serialises claims instead.)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import WebhookDelivery, WebhookEvent, WebhookMessage, WebhookSubscription
from app.models.base import UTCDateTime
from app.webhooks.retry import DISABLE_AFTER, next_attempt_at
from app.webhooks.sender import Job, Outcome

GONE_REASON = "The endpoint answered 410 Gone, asking for deliveries to stop."
FAILING_REASON = (
    "Every delivery failed for 5 days, so deliveries stopped. "
    "Fix the endpoint, then re-enable the webhook."
)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[Job]:
    """Take up to `limit` due messages of enabled subscriptions, oldest due first."""
    rows = (
        await session.execute(
            select(
                WebhookMessage.id,
                WebhookMessage.subscription_id,
                WebhookMessage.attempts,
                WebhookSubscription.url,
                WebhookSubscription.secret,
                WebhookEvent.type,
                WebhookEvent.body,
            )
            .join(WebhookSubscription, WebhookSubscription.id == WebhookMessage.subscription_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookMessage.event_id)
            .where(
                WebhookMessage.status == "pending",
                WebhookMessage.next_attempt_at <= now,
                or_(WebhookMessage.claimed_until.is_(None), WebhookMessage.claimed_until <= now),
                WebhookSubscription.enabled.is_(True),
            )
            .order_by(WebhookMessage.next_attempt_at)
            .limit(limit)
            .with_for_update(of=WebhookMessage, skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    await session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.id.in_([row.id for row in rows]))
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return [
        Job(
            message_id=row.id,
            subscription_id=row.subscription_id,
            url=row.url,
            secret=row.secret,
            event_type=row.type,
            body=row.body.encode(),
            attempt=row.attempts + 1,
        )
        for row in rows
    ]


async def record_outcomes(
    session: AsyncSession,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    rng: random.Random | None = None,
    retry_scale: float = 1.0,
) -> None:
    """Log every attempt, reschedule or finish each message, update subscription health."""
    # Lock in id order (no deadlock with another worker); skip messages deleted meanwhile
    # (their subscription was deleted while the request was in flight).
    ids = sorted(o.job.message_id for o in outcomes)
    alive = set(
        await session.scalars(
            select(WebhookMessage.id)
            .where(WebhookMessage.id.in_(ids))
            .order_by(WebhookMessage.id)
            .with_for_update()
        )
    )
    outcomes = [o for o in outcomes if o.job.message_id in alive]
    if not outcomes:
        return
    await session.execute(insert(WebhookDelivery), [_delivery_row(o) for o in outcomes])
    delivered = [o.job.message_id for o in outcomes if o.succeeded]
    if delivered:
        await session.execute(
            update(WebhookMessage)
            .where(WebhookMessage.id.in_(delivered))
            .values(
                status="delivered",
                attempts=WebhookMessage.attempts + 1,
                delivered_at=now,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
    failed = [_reschedule(o, now, rng, retry_scale) for o in outcomes if not o.succeeded]
    if failed:
        await session.execute(update(WebhookMessage), failed)
    await _update_health(session, outcomes, now)


def _delivery_row(outcome: Outcome) -> dict[str, object]:
    job = outcome.job
    return {
        "id": uuid.uuid4(),
        "subscription_id": job.subscription_id,
        "message_id": job.message_id,
        "event_type": job.event_type,
        "attempt": job.attempt,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
        "response_body": outcome.response_body,
        "created_at": outcome.started_at,
    }


def _reschedule(
    outcome: Outcome, now: datetime, rng: random.Random | None, scale: float
) -> dict[str, object]:
    retry_at = None if outcome.gone else next_attempt_at(outcome.job.attempt, now, rng, scale)
    return {
        "id": outcome.job.message_id,
        "attempts": outcome.job.attempt,
        "status": "failed" if retry_at is None else "pending",
        "next_attempt_at": retry_at or now,
        "claimed_until": None,
    }


async def _update_health(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> None:
    """410 disables at once; a success resets the failure clock; 5 failing days disable."""
    gone = {o.job.subscription_id for o in outcomes if o.gone}
    succeeded = {o.job.subscription_id for o in outcomes if o.succeeded}
    table = WebhookSubscription
    # One statement per subscription, in id order: a fixed lock order across workers.
    for subscription_id in sorted({o.job.subscription_id for o in outcomes}):
        if subscription_id in gone:
            await _disable(session, subscription_id, GONE_REASON, now)
        elif subscription_id in succeeded:
            await session.execute(
                update(table)
                .where(table.id == subscription_id, table.failing_since.is_not(None))
                .values(failing_since=None)
                .execution_options(synchronize_session=False)
            )
        else:
            await session.execute(
                update(table)
                .where(table.id == subscription_id)
                .values(failing_since=func.coalesce(table.failing_since, literal(now, UTCDateTime)))
                .execution_options(synchronize_session=False)
            )
            await _disable(
                session,
                subscription_id,
                FAILING_REASON,
                now,
                table.failing_since <= now - DISABLE_AFTER,
            )


async def _disable(
    session: AsyncSession,
    subscription_id: uuid.UUID,
    reason: str,
    now: datetime,
    *conditions: ColumnElement[bool],
) -> None:
    table = WebhookSubscription
    await session.execute(
        update(table)
        .where(table.id == subscription_id, table.enabled.is_(True), *conditions)
        .values(
            enabled=False,
            disabled_reason=reason,
            disabled_at=now,
            updated_at=now,
            version=table.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
