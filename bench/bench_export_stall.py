"""Does a large export stall the server? /healthz latency while one streams, and memory.

    .venv/bin/python bench/bench_export_stall.py --database-url postgresql://root@127.0.0.1:5432/test

Creates a throwaway database on that server, seeds one account with 1,000 applications
and 100,000 events (applications through the service layer, events in bulk: the export
only reads them), starts `followup serve` as production runs it (bench/perf.py's
`followup`), then downloads `GET /api/v1/export` (and the CSV) several times while
another thread asks `/healthz` every 20 ms. Reports the export's size and time, the
healthz latencies while exports ran (p50, p99, max) beside those of the idle server,
and the server's peak resident memory (VmHWM) before and after the exports.

The target: healthz p99 < 200 ms during the export, on the 2-core development machine.
The database is dropped at the end unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from bench_webhooks import admin  # bench/ is the script's folder: siblings are top-level
from perf import followup, rss_mb
from perf_seed import _application
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from app.auth.service import create_user, issue_token
from app.core.db import create_engine, create_sessionmaker
from app.core.migrations import upgrade_to_head
from app.models import Event

STATE_DIR = Path("var")
TARGET_P99_MS = 200.0
POLL_EVERY = 0.02
KINDS = ("thank_you_email", "note", "linkedin_message", "status_inquiry", "handwritten_note")


async def seed(url: str, applications: int, events: int) -> str:
    """One account; its personal API token."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with create_sessionmaker(engine)() as session:
            user = await create_user(
                session, email="export@example.com", password="bench-password-123", name="E"
            )
            _, token = await issue_token(
                session, user, kind="personal", name="bench", expires_at=None
            )
            ids = [
                uuid.UUID(await _application(session, user, i, now, interviews=0, people=0))
                for i in range(applications)
            ]
            await session.commit()
            per_application = events // applications
            for i, application_id in enumerate(ids):
                rows = [
                    {
                        "id": uuid.uuid4(),
                        "owner_id": user.id,
                        "application_id": application_id,
                        "type": KINDS[e % len(KINDS)],
                        "channel": "email" if e % 2 else None,
                        "occurred_at": now - timedelta(days=60, minutes=e * 7 + i),
                        "notes": "Said they would get back to me after the team offsite."
                        if e % 3 == 0
                        else None,
                    }
                    for e in range(per_application)
                ]
                await session.execute(insert(Event), rows)
                if i % 50 == 49:
                    await session.commit()
            await session.commit()
            return token
    finally:
        await engine.dispose()


class Poller(threading.Thread):
    """Asks /healthz every POLL_EVERY seconds; keeps each latency with its start time."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                started = time.perf_counter()
                client.get(f"{self.base}/healthz").raise_for_status()
                self.samples.append((started, time.perf_counter() - started))
                self.stop.wait(POLL_EVERY)

    def between(self, start: float, end: float) -> list[float]:
        return [latency for at, latency in self.samples if start <= at <= end]


def download(base: str, path: str, token: str) -> tuple[int, float, float, float]:
    """(bytes, seconds, start, end) of one streamed download."""
    size = 0
    start = time.perf_counter()
    with (
        httpx.Client(timeout=120) as client,
        client.stream("GET", f"{base}{path}", headers={"Authorization": f"Bearer {token}"}) as r,
    ):
        r.raise_for_status()
        for chunk in r.iter_raw():
            size += len(chunk)
    end = time.perf_counter()
    return size, end - start, start, end


def percentiles(latencies: list[float]) -> str:
    if not latencies:
        return "no samples"
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return (
        f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms "
        f"({len(ms)} requests)"
    )


def p99_ms(latencies: list[float]) -> float:
    ms = sorted(x * 1000 for x in latencies)
    return ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))] if ms else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="exports of each kind")
    parser.add_argument("--code", type=Path, help="serve this checkout's app/ (a before figure)")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="NAME", help="a database kept by --keep: no seeding")
    args = parser.parse_args()

    if args.reuse:
        name = args.reuse
        token = json.loads((STATE_DIR / f"export-{name}.json").read_text())["token"]
    else:
        name = f"followup_export_{secrets.token_hex(4)}"
        asyncio.run(admin(args.database_url, f'CREATE DATABASE "{name}"'))
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    keep = args.keep or bool(args.reuse)
    try:
        if not args.reuse:
            upgrade_to_head(url)
            started = time.perf_counter()
            token = asyncio.run(seed(url, args.applications, args.events))
            print(f"seeded {name} in {time.perf_counter() - started:.0f} s", flush=True)
            if keep:
                STATE_DIR.mkdir(exist_ok=True)
                (STATE_DIR / f"export-{name}.json").write_text(json.dumps({"token": token}))
        port = args.port
        log = Path(tempfile.mkdtemp(prefix="bench-export-")) / "server.log"
        with followup(url, port, log, count_sql=False, code=args.code) as (pid, _):
            base = f"http://127.0.0.1:{port}"
            poller = Poller(base)
            poller.start()
            time.sleep(2)
            idle = poller.between(0, time.perf_counter())
            rss_before = rss_mb(pid)
            during: dict[str, list[float]] = {}
            peak: dict[str, float] = {}
            for path in ("/api/v1/export", "/api/v1/export/applications.csv"):
                for _ in range(args.rounds):
                    size, seconds, start, end = download(base, path, token)
                    print(f"GET {path}: {size / 1e6:.1f} MB in {seconds:.2f} s", flush=True)
                    during.setdefault(path, []).extend(poller.between(start, end))
                    time.sleep(0.5)
                peak[path] = rss_mb(pid)[1]
            poller.stop.set()
            poller.join()
        print(f"healthz, idle: {percentiles(idle)}")
        for path, latencies in during.items():
            print(f"healthz, during {path}: {percentiles(latencies)}")
        print(f"server RSS before the exports: {rss_before[0]:.0f} MB")
        for path, mb in peak.items():
            print(f"server peak RSS once {path} had run: {mb:.0f} MB")
        met = p99_ms(during["/api/v1/export"]) < TARGET_P99_MS
        print(f"target healthz p99 < {TARGET_P99_MS:.0f} ms during the export: ", end="")
        print("met" if met else "MISSED")
        sys.exit(0 if met else 1)
    finally:
        if not keep:
            asyncio.run(admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept database {name} (run again on it with --reuse {name})")


if __name__ == "__main__":
    main()
