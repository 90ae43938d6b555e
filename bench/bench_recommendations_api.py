"""GET /api/v1/recommendations for a user with 1,000 applications: p50 and p99 latency.

Usage (PostgreSQL; the script creates and drops its own database on that server):

    .venv/bin/python bench/bench_recommendations_api.py \
        --database-url postgresql://root@127.0.0.1:5432/test --requests 60

Requests go through the whole ASGI app in-process (middleware, auth, the queries, the
engine, serialisation), without a network hop. Each application has 2 interviews,
3 interviewers and 6 events, as in bench_policy_engine.py; by default half of them are
finished (rejected, closed, withdrawn), `--all-active` makes every one active.

Each process keeps a user's steps until their data changes or the clock passes a
point where they change (app/recommendations/cache.py), so after the warm-up this
measures the repeated request; `--no-cache` measures the first request after a change
(load, engine and serialisation every time).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.auth.service import issue_token
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.migrations import upgrade_to_head
from app.main import create_app
from app.models import Application, Event, Interview, Interviewer, User

EVENT_TYPES = ("thank_you_email", "handwritten_note", "status_inquiry", "reply_received", "note")
# As in bench_policy_engine.py: half of a long search's applications are finished.
MIXED_STATUSES = ("interviewing",) * 8 + ("applied", "offer") + ("rejected",) * 5 + ("closed",) * 3
MIXED_STATUSES += ("withdrawn",) * 2


async def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def seed(url: str, applications: int, all_active: bool = False) -> str:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC)
    async with sessions() as session:
        user = User(email="bench@example.com", name="Bench User", password_hash="x", timezone="UTC")
        session.add(user)
        await session.flush()
        for i in range(applications):
            app = Application(
                owner_id=user.id,
                company=f"Company {i}",
                role_title="Engineer",
                status="interviewing" if all_active else MIXED_STATUSES[i % len(MIXED_STATUSES)],
                recruiter_name="Rita" if i % 2 else None,
                created_at=now - timedelta(days=30 + i % 20),
            )
            session.add(app)
            await session.flush()
            people = [
                Interviewer(owner_id=user.id, application_id=app.id, name=f"Person {i}-{p}")
                for p in range(3)
            ]
            session.add_all(people)
            for r in range(2):
                start = now - timedelta(days=14 - 7 * r, hours=i % 24)
                interview = Interview(
                    owner_id=user.id,
                    application_id=app.id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    topics="the roadmap" if r else None,
                )
                interview.interviewers = people[r : r + 2]
                session.add(interview)
            for e in range(6):
                kind = EVENT_TYPES[e % len(EVENT_TYPES)]
                session.add(
                    Event(
                        owner_id=user.id,
                        application_id=app.id,
                        type=kind,
                        occurred_at=now - timedelta(days=6 - e),
                        interviewer_id=people[e % 3].id if kind != "note" else None,
                        response="noncommittal" if kind == "reply_received" else None,
                    )
                )
        _, token = await issue_token(session, user, kind="personal", name="b", expires_at=None)
        await session.commit()
    await engine.dispose()
    return token


async def measure(url: str, token: str, requests: int, cache: bool) -> list[float]:
    settings = Settings(
        env="test",
        database_url=url,
        run_worker=False,
        recommendation_cache_steps=20_000 if cache else 0,
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(requests + 5):
                started = time.perf_counter()
                r = await client.get("/api/v1/recommendations", headers=headers)
                elapsed = time.perf_counter() - started
                r.raise_for_status()
                if i >= 5:  # the first few warm caches and the connection pool
                    timings.append(elapsed)
            print(f"recommendations per request: {len(r.json()['items'])}")
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--all-active", action="store_true", help="worst case: every application is active"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="compute the steps afresh for every request"
    )
    args = parser.parse_args()

    name = f"followup_bench_{secrets.token_hex(4)}"
    await _admin(args.database_url, f'CREATE DATABASE "{name}"')
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        token = await seed(url, args.applications, args.all_active)
        timings = sorted(await measure(url, token, args.requests, not args.no_cache))
        p50 = statistics.median(timings) * 1000
        p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))] * 1000
        mix = "all active" if args.all_active else "half finished"
        cached = "computed afresh" if args.no_cache else "cached"
        print(f"applications={args.applications} ({mix}, {cached}) requests={len(timings)}")
        print(f"p50={p50:.1f} ms  p99={p99:.1f} ms  (target p50 <= 50 ms)")
    finally:
        await _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
