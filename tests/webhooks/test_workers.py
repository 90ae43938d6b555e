"""Real worker processes against a real (committed, throwaway) database (docs/webhooks.md).

A worker SIGKILLed mid-batch loses nothing: its claimed rows go to another worker once
the lease runs out, so every event arrives at least once. Two workers running at once
never send the same attempt twice. Both hold on PostgreSQL (SKIP LOCKED) and SQLite
(one writer at a time); on SQLite one worker is still all it needs, since a second
adds no throughput.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.applications.schemas import ApplicationCreate
from app.applications.service import create_application
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.main import create_app
from app.models import (
    Application,
    EmittedRecommendation,
    WebhookDelivery,
    WebhookEvent,
    WebhookMessage,
    WebhookSubscription,
)
from app.webhooks.outbox import webhook_id
from app.webhooks.signing import new_secret
from tests.factories import create_interview, create_user
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # generous for a loaded CI machine; a passing run takes a few seconds


@asynccontextmanager
async def database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def _seed(sessionmaker: async_sessionmaker[AsyncSession], url: str, count: int) -> list[str]:
    """A user subscribed to everything, `count` committed changes; their webhook-ids."""
    async with sessionmaker() as session:
        user = await create_user(session, email="worker@example.com")
        session.add(
            WebhookSubscription(owner_id=user.id, url=url, events=["*"], secret=new_secret())
        )
        await session.commit()
        for i in range(count):
            data = ApplicationCreate(company=f"Company {i}", role_title="Engineer")
            await create_application(session, user, data)
        await session.commit()
        ids = (await session.scalars(select(WebhookMessage.id))).all()
    return [webhook_id(i) for i in ids]


def _start_worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "FOLLOWUP_ENV": "test",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.worker", "--poll-interval", "0.05", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_until_started(process)
    return process


def _wait_until_started(process: subprocess.Popen[bytes]) -> None:
    """Return once the worker says it runs: one stopped while still importing would die
    of the SIGTERM instead of exiting cleanly, and the test would blame the worker."""
    assert process.stderr is not None
    while True:
        line = process.stderr.readline()
        assert line, f"the worker exited before starting (code {process.wait()})"
        if b"worker started" in line:
            return


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for a condition the workers bring about (bounded, never a fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def _pending(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WebhookMessage)
            .where(WebhookMessage.status != "delivered")
        )
    return count or 0


def _stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    return stderr.decode(errors="replace")


async def test_a_worker_killed_mid_batch_loses_nothing(
    committed_database_url: str, receiver: Receiver
) -> None:
    async with database(committed_database_url) as sessionmaker:
        ids = await _seed(sessionmaker, receiver.url(), 30)
        # The first 8 requests are answered; the rest hang, so the worker is stuck
        # mid-batch with claimed rows when it dies.
        receiver.hang_after = 8
        options = ["--batch-size", "5", "--concurrency", "5", "--lease-seconds", "2"]
        first = _start_worker(committed_database_url, *options, "--no-scheduler")
        try:
            await _until(lambda: len(receiver.requests) >= 10, "the first worker to get stuck")
        finally:
            first.kill()  # SIGKILL: no cleanup, leases held
            first.communicate(timeout=30)
        receiver.hang_after = None
        receiver.release.set()

        second = _start_worker(committed_database_url, "--batch-size", "5", "--no-scheduler")
        try:
            await _until(lambda: set(ids) <= set(receiver.ids()), "every event to arrive")
            await _until_delivered(sessionmaker)
        finally:
            log = _stop(second)
        assert second.returncode == 0, log

        received = receiver.ids()
        assert set(received) == set(ids)  # every event at least once, nothing extra
        # Only what was in flight when the first worker died was sent twice.
        assert len(received) - len(ids) <= 5


async def _until_delivered(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while await _pending(sessionmaker):
        assert loop.time() < deadline, "timed out waiting for every message to be delivered"
        await asyncio.sleep(0.05)


async def test_two_workers_together_send_each_attempt_once(
    committed_database_url: str, receiver: Receiver
) -> None:
    async with database(committed_database_url) as sessionmaker:
        ids = await _seed(sessionmaker, receiver.url(), 60)
        async with sessionmaker() as session:
            application = (await session.scalars(select(Application).limit(1))).one()
            await create_interview(session, application)  # makes recommendations due

        workers = [
            _start_worker(committed_database_url, "--batch-size", "4", "--concurrency", "4")
            for _ in range(2)
        ]
        try:
            await _until(lambda: set(ids) <= set(receiver.ids()), "every event to arrive")
            await _until_emitted(sessionmaker)
            await _until_delivered(sessionmaker)
        finally:
            logs = [_stop(w) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], logs

        async with sessionmaker() as session:
            attempts = (await session.scalars(select(WebhookDelivery.message_id))).all()
            emitted = (await session.scalars(select(EmittedRecommendation.id))).all()
            due_events = await session.scalar(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.type == "recommendation.due")
            )
        assert len(attempts) == len(set(attempts))  # one attempt per message
        received = receiver.ids()
        assert len(received) == len(set(received))  # and so one request each
        assert set(ids) <= set(received)
        # Both workers' schedulers looked at start-up; each due step was queued once.
        assert due_events == len(emitted) > 0


async def _until_emitted(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        async with sessionmaker() as session:
            if await session.scalar(select(func.count()).select_from(EmittedRecommendation)):
                return
        assert loop.time() < deadline, "timed out waiting for the scheduler"
        await asyncio.sleep(0.05)


async def test_the_web_app_runs_a_worker_in_process(
    committed_database_url: str, receiver: Receiver
) -> None:
    """`followup serve` needs nothing else: the app's lifespan starts and stops the worker."""
    async with database(committed_database_url) as sessionmaker:
        ids = await _seed(sessionmaker, receiver.url(), 3)
    settings = Settings(
        env="test",
        database_url=committed_database_url,
        run_worker=True,
        webhooks_allow_private_targets=True,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await _until(lambda: set(ids) <= set(receiver.ids()), "the in-process worker")
    assert sorted(receiver.ids()) == sorted(ids)
