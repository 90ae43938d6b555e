"""Fixtures for the webhook tests: a live receiver and an app that may call 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.databases import backend_of, migrated_database
from tests.factories import UserWithToken
from tests.webhooks.helpers import WorkerPass, deliver, subscribe
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def committed_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own: worker processes can't join the tests' rolled-back one."""
    with migrated_database(backend_of(database_url), tmp_path) as url:
        yield url


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """What the worker sends with (short timeouts: the receiver is local)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=5) as c:
        yield c


@pytest.fixture
def worker_pass(
    sessionmaker: async_sessionmaker[AsyncSession], http_client: httpx.AsyncClient
) -> WorkerPass:
    """One delivery pass of the worker: `await worker_pass(now=...)` -> messages sent."""

    async def run(**options: Any) -> int:
        return await deliver(sessionmaker, http_client, **options)

    return run


@pytest.fixture
async def hook(
    local_client: httpx.AsyncClient, alice: UserWithToken, receiver: Receiver
) -> dict[str, Any]:
    """Alice's subscription to every event, at the live receiver."""
    return await subscribe(local_client, alice, receiver.url())
