"""The scheduler and the mail worker at 10,000 users of 20 applications each (PostgreSQL).

    .venv/bin/python bench/bench_scheduler.py [--database-url postgresql://root@127.0.0.1:5432/test]
        [--users 10000] [--applications 20] [--due 1000]

Creates and migrates a throwaway database, seeds it in bulk (each application with an
interviewer, an interview that ended days ago and two events; the data_version triggers
are off while seeding, as they would only mark every user due), and measures:

1. an idle tick: nobody due. Its time (median of 20) and its SQL statements; the plan
   of its one query;
2. a tick with `--due` users due (steps falling due, their digests not), then one with
   another `--due` users whose digests are due too (each lists some 40 steps): users per
   second, through the real policy engine and mail rendering;
3. mail: the digests that tick queued, sent by one `python -m app.worker` process to an
   aiosmtpd process on 127.0.0.1: messages per second.

Targets: idle tick <= 10 ms and one indexed query; >= 200 users/s; >= 100 messages/s.
The database, the worker and the mail server share one machine, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The path tweak above makes `app` importable when run as a script from anywhere.
import uvloop
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.migrations import upgrade_to_head
from app.models import (
    Application,
    Event,
    Interview,
    Interviewer,
    MailMessage,
    User,
    interview_interviewers,
)
from app.models.base import EPOCH
from app.recommendations.cache import step_cache
from app.scheduler import run_tick

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"
SEED_BATCH = 250  # users per transaction while seeding
Sessions = async_sessionmaker[AsyncSession]


async def admin(base_url: str, sql: str) -> None:
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def _rows_for(user_id: uuid.UUID, apps: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "applications": [],
        "interviewers": [],
        "interviews": [],
        "links": [],
        "events": [],
    }
    for i in range(apps):
        app_id, person_id, interview_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        created = now - timedelta(days=30 + i)
        ended = now - timedelta(days=3 + i % 12, hours=i % 7)
        rows["applications"].append(
            {
                "id": app_id,
                "owner_id": user_id,
                "company": f"Company {i}",
                "role_title": "Backend Engineer",
                "status": "interviewing" if i % 3 else "applied",
                "created_at": created,
                "updated_at": created,
            }
        )
        rows["interviewers"].append(
            {
                "id": person_id,
                "owner_id": user_id,
                "application_id": app_id,
                "name": f"Person {i}",
                "email": f"person{i}@example.com",
                "created_at": created,
                "updated_at": created,
            }
        )
        rows["interviews"].append(
            {
                "id": interview_id,
                "owner_id": user_id,
                "application_id": app_id,
                "starts_at": ended - timedelta(hours=1),
                "ends_at": ended,
                "created_at": created,
                "updated_at": created,
            }
        )
        rows["links"].append({"interview_id": interview_id, "interviewer_id": person_id})
        for kind, after in (("thank_you_email", 5), ("status_inquiry", 24 * 8)):
            rows["events"].append(
                {
                    "id": uuid.uuid4(),
                    "owner_id": user_id,
                    "application_id": app_id,
                    "interviewer_id": person_id if kind == "thank_you_email" else None,
                    "type": kind,
                    "occurred_at": min(now, ended + timedelta(hours=after)),
                    "created_at": now,
                }
            )
    return rows


async def seed(sessionmaker: Sessions, users: int, apps: int, now: datetime) -> None:
    started = time.perf_counter()
    later = now + timedelta(days=1)
    for first in range(0, users, SEED_BATCH):
        async with sessionmaker() as session:
            # The triggers would mark every user due at each row: off while seeding.
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            batch: dict[str, list[dict[str, Any]]] = {}
            user_rows = []
            for n in range(first, min(users, first + SEED_BATCH)):
                user_id = uuid.uuid4()
                user_rows.append(
                    {
                        "id": user_id,
                        "email": f"user{n}@example.com",
                        "name": f"User {n}",
                        "password_hash": "x",
                        "timezone": ("Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland")[
                            n % 3
                        ],
                        "next_check_at": later,
                        "digest_due_at": later,
                    }
                )
                for key, rows in _rows_for(user_id, apps, now).items():
                    batch.setdefault(key, []).extend(rows)
            await session.execute(insert(User), user_rows)
            await session.execute(insert(Application), batch["applications"])
            await session.execute(insert(Interviewer), batch["interviewers"])
            await session.execute(insert(Interview), batch["interviews"])
            await session.execute(insert(interview_interviewers), batch["links"])
            await session.execute(insert(Event), batch["events"])
            await session.commit()
        done = min(users, first + SEED_BATCH)
        if done % 2000 == 0 or done == users:
            print(f"  seeded {done} users ({time.perf_counter() - started:.0f} s)", flush=True)


def count_statements(engine: AsyncEngine) -> list[int]:
    box = [0]

    def _count(*_: Any) -> None:
        box[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", _count)
    return box


async def idle_tick(sessionmaker: Sessions, engine: AsyncEngine, settings: Settings) -> None:
    statements = count_statements(engine)
    now = datetime.now(UTC)
    await run_tick(sessionmaker, settings, now=now)  # warm the connection and statement cache
    times = []
    for _ in range(20):
        statements[0] = 0
        started = time.perf_counter()
        result = await run_tick(sessionmaker, settings, now=datetime.now(UTC))
        times.append(time.perf_counter() - started)
        assert result.users == 0
    print(
        f"1. idle tick: median {statistics.median(times) * 1000:.2f} ms, "
        f"max {max(times) * 1000:.2f} ms, {statements[0]} SQL statement(s) each"
    )
    claim = select(User).where(User.next_check_at <= now).order_by(User.next_check_at).limit(200)
    async with sessionmaker() as session:
        compiled = claim.with_for_update(skip_locked=True).compile(
            engine.sync_engine, compile_kwargs={"literal_binds": True}
        )
        plan = (await session.execute(text(f"EXPLAIN {compiled}"))).scalars().all()
    print("   plan: " + "\n         ".join(plan))


async def due_tick(
    sessionmaker: Sessions, settings: Settings, due: int, *, digests: bool, offset: int = 0
) -> int:
    now = datetime.now(UTC)
    digest_due_at = now - timedelta(minutes=1) if digests else now + timedelta(days=1)
    async with sessionmaker() as session:
        ids = (
            await session.scalars(select(User.id).order_by(User.email).offset(offset).limit(due))
        ).all()
        await session.execute(
            update(User)
            .where(User.id.in_(ids))
            .values(next_check_at=EPOCH, digest_due_at=digest_due_at)
        )
        await session.commit()
    step_cache.clear()
    started = time.perf_counter()
    result = await run_tick(sessionmaker, settings, now=now)
    elapsed = time.perf_counter() - started
    what = "and their digests" if digests else "(their digests not due)"
    print(
        f"2. tick with {result.users} users due {what}: {elapsed:.2f} s, "
        f"{result.users / elapsed:.0f} users/s "
        f"({result.digests} digests, {result.alerts} alerts queued, {result.failed} failed)"
    )
    async with sessionmaker() as session:
        still_due = await session.scalar(
            select(func.count()).select_from(User).where(User.next_check_at <= now)
        )
    assert still_due == 0, still_due
    return result.digests


async def send_mail(sessionmaker: Sessions, url: str, queued: int, processes: list[Any]) -> None:
    port = 20000 + secrets.randbelow(20000)
    processes.append(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
            cwd=ROOT,
        )
    )
    await asyncio.sleep(1.0)  # the server's start-up
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_SMTP_URL": f"smtp://127.0.0.1:{port}",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.worker",
        "--no-scheduler",
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.DEVNULL,
    )
    processes.append(worker)
    first = last = None
    while True:
        async with sessionmaker() as session:
            sent_times = (
                await session.execute(
                    select(func.min(MailMessage.sent_at), func.max(MailMessage.sent_at)).where(
                        MailMessage.status == "sent"
                    )
                )
            ).one()
            pending = await session.scalar(
                select(func.count()).select_from(MailMessage).where(MailMessage.status != "sent")
            )
        if not pending:
            first, last = sent_times
            break
        await asyncio.sleep(0.2)
    assert first is not None
    assert last is not None
    # sent_at is stamped per batch: count from the first batch's end to the last's.
    seconds = max((last - first).total_seconds(), 1e-3)
    print(f"3. mail: {queued} messages sent by one worker at {queued / seconds:.0f} messages/s")


async def run(args: argparse.Namespace) -> None:
    name = f"followup_bench_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    await admin(args.database_url, f'CREATE DATABASE "{name}"')
    processes: list[Any] = []
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = create_engine(url, pool_size=5)
        sessionmaker = create_sessionmaker(engine)
        settings = Settings(database_url=url)
        try:
            print(f"seeding {args.users} users x {args.applications} applications")
            await seed(sessionmaker, args.users, args.applications, datetime.now(UTC))
            async with engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
            await idle_tick(sessionmaker, engine, settings)
            await due_tick(sessionmaker, settings, args.due, digests=False, offset=args.due)
            queued = await due_tick(sessionmaker, settings, args.due, digests=True)
            await send_mail(sessionmaker, url, queued, processes)
        finally:
            await engine.dispose()
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            await process.wait()
        await admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=20)
    parser.add_argument("--due", type=int, default=1000)
    uvloop.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
