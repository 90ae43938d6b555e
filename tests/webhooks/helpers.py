"""Shared steps of the webhook tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.webhooks.delivery import deliver_due
from tests.factories import UserWithToken

M = TypeVar("M")
# The `worker_pass` fixture: deliver(...) bound to the test's database and HTTP client.
WorkerPass = Callable[..., Awaitable[int]]


async def subscribe(
    client: httpx.AsyncClient,
    user: UserWithToken,
    url: str,
    events: Sequence[str] = ("*",),
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/webhooks", json={"url": url, "events": list(events)}, headers=user.headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def deliver(
    sessionmaker: async_sessionmaker[AsyncSession],
    http_client: httpx.AsyncClient,
    *,
    now: datetime | None = None,
    **options: Any,
) -> int:
    """One worker pass against 127.0.0.1 (which the tests' settings allow)."""
    options.setdefault("allow_private", True)
    return await deliver_due(sessionmaker, http_client=http_client, now=now, **options)


async def all_rows(session: AsyncSession, model: type[M], *where: Any) -> list[M]:
    """Fresh rows (not stale copies from the identity map)."""
    stmt = select(model).where(*where).execution_options(populate_existing=True)
    return list((await session.scalars(stmt)).all())
