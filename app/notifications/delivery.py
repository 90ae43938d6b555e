"""The worker's mail loop: claim due messages under a lease, send them, log each attempt.

Claiming takes `FOR UPDATE SKIP LOCKED` on PostgreSQL and stamps `claimed_until`, as the
webhook queue does: workers running at once never take the same message, and one that
dies mid-batch leaves its messages to whoever comes after the lease. Delivery is
at-least-once (docs/reliability.md): a worker killed after the server accepted a message
but before recording it leaves it to be sent again, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import MailAttempt, MailMessage
from app.models.base import utcnow
from app.notifications.transport import Envelope, SendError, Transport
from app.webhooks.retry import next_attempt_at

logger = logging.getLogger("followup.mail")

DEFAULT_MAIL_BATCH = 100
# SMTP connections a batch is spread over: each message costs round trips (MAIL, RCPT,
# DATA), so one connection spends most of its time waiting for the server.
DEFAULT_MAIL_CONNECTIONS = 4
DEFAULT_MAIL_LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class MailJob:
    message_id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    recipient: str
    content: bytes
    attempt: int


@dataclass(frozen=True, slots=True)
class MailOutcome:
    job: MailJob
    started_at: datetime
    error: str | None
    permanent: bool
    duration_ms: int


async def claim_mail(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[MailJob]:
    """Take up to `limit` due messages, oldest due first."""
    rows = (
        await session.execute(
            select(
                MailMessage.id,
                MailMessage.user_id,
                MailMessage.kind,
                MailMessage.recipient,
                MailMessage.content,
                MailMessage.attempts,
            )
            .where(
                MailMessage.status == "pending",
                MailMessage.next_attempt_at <= now,
                or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until <= now),
            )
            .order_by(MailMessage.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if rows:
        await session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_([row.id for row in rows]))
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return [
        MailJob(row.id, row.user_id, row.kind, row.recipient, row.content, row.attempts + 1)
        for row in rows
    ]


async def send_jobs(
    transport: Transport, jobs: Sequence[MailJob], sender: str
) -> list[MailOutcome]:
    outcomes = []
    for job in jobs:
        started_at, started = utcnow(), time.perf_counter()
        error, permanent = None, False
        try:
            await transport.send(Envelope(job.message_id.hex, sender, job.recipient, job.content))
        except SendError as exc:
            error, permanent = str(exc)[:1000], exc.permanent
            logger.warning("mail %s, attempt %s, failed: %s", job.message_id, job.attempt, error)
        duration = round((time.perf_counter() - started) * 1000)
        outcomes.append(MailOutcome(job, started_at, error, permanent, duration))
    return outcomes


async def record_mail_outcomes(
    session: AsyncSession,
    outcomes: Sequence[MailOutcome],
    *,
    now: datetime,
    retry_scale: float = 1.0,
    rng: random.Random | None = None,
) -> None:
    """One attempt row each; sent, rescheduled with backoff, or given up."""
    if not outcomes:
        return
    await session.execute(
        insert(MailAttempt),
        [
            {
                "id": uuid.uuid4(),
                "message_id": o.job.message_id,
                "user_id": o.job.user_id,
                "kind": o.job.kind,
                "attempt": o.job.attempt,
                "error": o.error,
                "duration_ms": o.duration_ms,
                "created_at": o.started_at,
            }
            for o in outcomes
        ],
    )
    sent = [o.job.message_id for o in outcomes if o.error is None]
    if sent:
        await session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_(sent))
            .values(
                status="sent", attempts=MailMessage.attempts + 1, sent_at=now, claimed_until=None
            )
            .execution_options(synchronize_session=False)
        )
    failed = []
    for o in outcomes:
        if o.error is None:
            continue
        retry_at = None if o.permanent else next_attempt_at(o.job.attempt, now, rng, retry_scale)
        failed.append(
            {
                "id": o.job.message_id,
                "attempts": o.job.attempt,
                "status": "failed" if retry_at is None else "pending",
                "next_attempt_at": retry_at or now,
                "claimed_until": None,
            }
        )
    if failed:
        await session.execute(update(MailMessage), failed)


async def send_due_mail(
    sessionmaker: async_sessionmaker[AsyncSession],
    open_transport: Callable[[], Transport],
    *,
    sender: str,
    batch_size: int = DEFAULT_MAIL_BATCH,
    lease: timedelta = DEFAULT_MAIL_LEASE,
    retry_scale: float = 1.0,
    connections: int = DEFAULT_MAIL_CONNECTIONS,
) -> int:
    """Send one batch of due mail; how many messages were attempted."""
    async with sessionmaker() as session:
        jobs = await claim_mail(session, now=utcnow(), lease=lease, limit=batch_size)
        await session.commit()
    if not jobs:
        return 0

    async def over_one_connection(share: Sequence[MailJob]) -> list[MailOutcome]:
        async with open_transport() as transport:
            return await send_jobs(transport, share, sender)

    shares = [jobs[i::connections] for i in range(min(connections, len(jobs)))]
    outcomes = [o for part in await asyncio.gather(*map(over_one_connection, shares)) for o in part]
    async with sessionmaker() as session:
        await record_mail_outcomes(session, outcomes, now=utcnow(), retry_scale=retry_scale)
        await session.commit()
    return len(jobs)
