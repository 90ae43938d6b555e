"""Real worker processes: a digest is decided once and arrives once, whatever restarts,
SIGKILLs or second workers; and two schedulers share the due users, each taken once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.models import MailMessage, User
from app.models.base import utcnow
from app.recommendations.cache import Steps, Version
from app.scheduler import run_tick
from tests.factories import create_application, create_interview, create_user
from tests.notifications.smtp_server import SmtpServer

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0


@asynccontextmanager
async def database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def _start_worker(url: str, smtp_url: str, mail_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_SMTP_URL": smtp_url,
        "FOLLOWUP_MAIL_DIR": str(mail_dir),
        "FOLLOWUP_SCHEDULER_INTERVAL": "0.2",
        "FOLLOWUP_ENV": "test",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.worker", "--poll-interval", "0.05", "--lease-seconds", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    while b"worker started" not in (line := process.stderr.readline()):
        assert line, f"the worker exited before starting (code {process.wait()})"
    return process


async def _until(condition: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_one_digest_across_two_workers_and_a_sigkill_mid_send(
    committed_database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    async with database(committed_database_url) as sessionmaker:
        async with sessionmaker() as session:
            user = await create_user(session, email="once@example.com", notify_alerts=False)
            application = await create_application(session, user)
            await create_interview(session, application)  # something overdue
            user.digest_due_at = utcnow() - timedelta(minutes=1)  # the digest is due now
            await session.commit()

        # The server takes the message but never answers: both workers die mid-send.
        smtp.handler.hold = True
        workers = [_start_worker(committed_database_url, smtp.url, tmp_path) for _ in range(2)]
        try:
            await _until(lambda: smtp.handler.data_commands >= 1, "a worker to start sending")
        finally:
            for worker in workers:
                worker.kill()  # SIGKILL: no cleanup, the lease still held
                worker.communicate(timeout=30)
        smtp.handler.hold = False
        smtp.handler.release.set()  # the dead connection is answered 451: not delivered

        survivors = [_start_worker(committed_database_url, smtp.url, tmp_path) for _ in range(2)]
        try:
            await _until(lambda: len(smtp.received) >= 1, "the digest, once the lease ran out")
            await asyncio.sleep(1.0)  # several more ticks and polls: nothing else may come
        finally:
            for worker in survivors:
                worker.send_signal(signal.SIGTERM)
            logs = [w.communicate(timeout=30)[1].decode(errors="replace") for w in survivors]
        assert [w.returncode for w in survivors] == [0, 0], logs

        assert len(smtp.received) == 1
        async with sessionmaker() as session:
            rows = (await session.scalars(select(MailMessage))).all()
        assert [(m.kind, m.status) for m in rows] == [("digest", "sent")]


async def test_two_schedulers_take_every_due_user_exactly_once(
    committed_database_url: str, settings: Settings
) -> None:
    handled: Counter[str] = Counter()

    async def recommender(session: AsyncSession, user: User, as_of: object) -> Steps:
        handled[user.email] += 1
        await asyncio.sleep(0.005)  # long enough for the other scheduler to come along
        version = Version(user.data_version, user.name, user.timezone)
        return Steps(version, as_of, as_of + timedelta(days=1), [], [])  # type: ignore[operator, arg-type]

    async with database(committed_database_url) as sessionmaker:
        async with sessionmaker() as session:
            for i in range(60):
                await create_user(session, email=f"user{i}@example.com")
        now = utcnow()
        async with database(committed_database_url) as other:
            results = await asyncio.gather(
                run_tick(sessionmaker, settings, now=now, recommender=recommender, batch_size=5),
                run_tick(other, settings, now=now, recommender=recommender, batch_size=5),
            )
    assert sorted(handled) == sorted(f"user{i}@example.com" for i in range(60))
    assert set(handled.values()) == {1}
    assert sum(r.users for r in results) == 60
    if "postgresql" in committed_database_url:
        assert all(r.users > 0 for r in results)  # SKIP LOCKED: they shared the work
