"""`deliver_due`: one pass of the worker, a plain function tests call with their own clock.

Claim (one short transaction), send concurrently with no transaction open, record (one
short transaction). A crash anywhere in between leaves claimed rows whose lease runs
out, so they are sent again: delivery is at least once, with the same `webhook-id`.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models.base import utcnow
from app.webhooks.queue import claim_due, record_outcomes
from app.webhooks.sender import Outcome, send
from app.webhooks.targets import Resolver, Target, UnsafeTarget, resolve_target, system_resolver
from app.webhooks.tuning import (
    CONNECTIONS_PER_CLIENT,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_LEASE,
    DEFAULT_TIMEOUT,
)


def new_http_clients(concurrency: int = DEFAULT_CONCURRENCY) -> list[httpx.AsyncClient]:
    """The clients deliveries go through: no redirects followed, 10 s timeouts.

    Several small pools rather than one big one: httpcore's pool looks at each of its
    connections for every request it starts or finishes, so one pool of 50 spends more
    time on bookkeeping than on sending (a third of the throughput, measured).
    """
    count = math.ceil(concurrency / CONNECTIONS_PER_CLIENT)
    size = math.ceil(concurrency / count)
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    return [
        httpx.AsyncClient(follow_redirects=False, timeout=DEFAULT_TIMEOUT, limits=limits)
        for _ in range(count)
    ]


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    http_client: httpx.AsyncClient | Sequence[httpx.AsyncClient],
    now: datetime | None = None,
    allow_private: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    lease: timedelta = DEFAULT_LEASE,
    attempt_timeout: float = DEFAULT_TIMEOUT,
    resolver: Resolver = system_resolver,
    rng: random.Random | None = None,
    retry_scale: float = 1.0,
) -> int:
    """Make one attempt for up to `batch_size` due messages; the number of attempts made."""
    async with sessionmaker() as session:
        jobs = await claim_due(session, now=now or utcnow(), lease=lease, limit=batch_size)
        await session.commit()
    if not jobs:
        return 0
    targets = await _resolve_all(
        {job.url for job in jobs},
        allow_private=allow_private,
        resolver=resolver,
        attempt_timeout=attempt_timeout,
    )
    clients = [http_client] if isinstance(http_client, httpx.AsyncClient) else http_client
    outcomes: list[Outcome] = []
    queue = iter(jobs)

    async def lane(index: int) -> None:
        # `concurrency` lanes take jobs in turn: at most that many requests in flight.
        client = clients[index % len(clients)]
        for job in queue:
            target = targets[job.url]
            outcome = await send(
                job, client=client, target=target, now=now, attempt_timeout=attempt_timeout
            )
            outcomes.append(outcome)

    await asyncio.gather(*(lane(i) for i in range(min(concurrency, len(jobs)))))
    async with sessionmaker() as session:
        await record_outcomes(
            session, outcomes, now=now or utcnow(), rng=rng, retry_scale=retry_scale
        )
        await session.commit()
    return len(outcomes)


async def _resolve_all(
    urls: Iterable[str], *, allow_private: bool, resolver: Resolver, attempt_timeout: float
) -> dict[str, Target | UnsafeTarget]:
    """Check each distinct URL once per batch (DNS may have changed since subscribing)."""

    async def check(url: str) -> Target | UnsafeTarget:
        try:
            async with asyncio.timeout(attempt_timeout):
                return await resolve_target(url, allow_private=allow_private, resolver=resolver)
        except UnsafeTarget as exc:
            return exc
        except TimeoutError:
            return UnsafeTarget(f"resolving the host of {url} timed out.")

    ordered = sorted(urls)
    results = await asyncio.gather(*(check(url) for url in ordered))
    return dict(zip(ordered, results, strict=True))
