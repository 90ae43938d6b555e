"""Webhook delivery from one worker to a local receiver that answers 200 at once (PostgreSQL).

    .venv/bin/python bench/bench_webhooks.py [--database-url postgresql://root@127.0.0.1:5432/test]
        [--backlog 5000] [--rate 300] [--seconds 15] [--per-commit 1]
        [--batch-size 100] [--concurrency 32]

Creates and migrates a throwaway database on that server, starts a receiver process and one
`python -m app.worker` process, and measures:

1. throughput: a backlog of committed changes is queued first, then the worker drains it;
   deliveries per second between the first and the last arrival at the receiver;
2. latency at load: changes are committed at `--rate` per second (each its own transaction,
   through the real application service and its outbox row, `--per-commit` changes to a
   transaction); for each, the time from its commit returning to its arrival at the
   receiver. Reports p50, p99 and max.

Targets: >= 300 deliveries/s, p99 <= 1 s at 300 changes/s. The database, the receiver,
the worker and the load all share one machine, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The path tweak above makes `app` importable when run as a script from anywhere.
import uvloop
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.applications.schemas import ApplicationCreate
from app.applications.service import create_application
from app.core.db import create_engine, create_sessionmaker
from app.core.migrations import upgrade_to_head
from app.models import User, WebhookSubscription
from app.webhooks.signing import new_secret

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = os.environ.get("FOLLOWUP_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
Sessions = async_sessionmaker[AsyncSession]


# --- the receiver (its own process) ----------------------------------------------------


async def serve_receiver() -> None:
    """HTTP/1.1 keep-alive, 200 at once; notes when each application id first arrived."""
    arrivals: dict[str, float] = {}
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            while True:
                lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                payload = b""
                if lines[0].startswith("GET /stats"):
                    payload = json.dumps({"count": count, "arrivals": arrivals}).encode()
                else:
                    count += 1
                    arrivals.setdefault(json.loads(body)["data"]["id"], time.time())
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)  # the port, for the harness
    async with server:
        await server.serve_forever()


async def receiver_stats(port: int) -> tuple[int, dict[str, float]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stats HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n")
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    length = int(head.lower().split("content-length:")[1].split("\r\n")[0])
    stats = json.loads(await reader.readexactly(length))
    writer.close()
    return stats["count"], stats["arrivals"]


async def wait_for_arrivals(port: int, count: int, limit_seconds: float) -> dict[str, float]:
    async with asyncio.timeout(limit_seconds):
        while True:
            _, arrivals = await receiver_stats(port)
            if len(arrivals) >= count:
                return arrivals
            await asyncio.sleep(0.1)


# --- load ------------------------------------------------------------------------------


async def queue_backlog(sessionmaker: Sessions, user: User, count: int) -> None:
    for start in range(0, count, 100):
        async with sessionmaker() as session:
            for n in range(start, min(start + 100, count)):
                data = ApplicationCreate(company=f"Backlog {n}", role_title="Engineer")
                await create_application(session, user, data)
            await session.commit()


async def paced_load(
    sessionmaker: Sessions, user: User, rate: float, seconds: float, per_commit: int
) -> dict[str, float]:
    """Commit changes at `rate`/s, `per_commit` to a transaction; when each commit returned."""
    committed: dict[str, float] = {}
    commits = int(rate * seconds / per_commit)
    producers = 8
    start = time.perf_counter()

    async def producer(first: int) -> None:
        for n in range(first, commits, producers):
            await asyncio.sleep(max(0.0, start + n * per_commit / rate - time.perf_counter()))
            async with sessionmaker() as session:
                ids = []
                for k in range(per_commit):
                    data = ApplicationCreate(company=f"Load {n}.{k}", role_title="Engineer")
                    ids.append(str((await create_application(session, user, data)).id))
                await session.commit()
            committed.update(dict.fromkeys(ids, time.time()))

    await asyncio.gather(*(producer(i) for i in range(producers)))
    achieved = len(committed) / (time.perf_counter() - start)
    print(
        f"  load: {len(committed)} changes committed at {achieved:.0f}/s "
        f"(asked {rate:.0f}/s, {per_commit} per transaction)"
    )
    return committed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- the harness -----------------------------------------------------------------------


async def admin(base_url: str, sql: str) -> None:
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def subscribed_user(sessionmaker: Sessions, port: int) -> User:
    async with sessionmaker() as session:
        user = User(email="bench@example.com", name="Bench", password_hash="x")
        session.add(user)
        await session.flush()
        url = f"http://127.0.0.1:{port}/hooks"
        session.add(
            WebhookSubscription(owner_id=user.id, url=url, events=["*"], secret=new_secret())
        )
        await session.commit()
    return user


async def measure(
    args: argparse.Namespace, url: str, processes: list[asyncio.subprocess.Process]
) -> None:
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--receiver", stdout=asyncio.subprocess.PIPE, cwd=ROOT
    )
    processes.append(receiver)
    assert receiver.stdout is not None
    port = int(await receiver.stdout.readline())
    engine = create_engine(url, pool_size=10)
    sessionmaker = create_sessionmaker(engine)
    try:
        user = await subscribed_user(sessionmaker, port)
        print(f"1. throughput: a backlog of {args.backlog} changes, then one worker drains it")
        await queue_backlog(sessionmaker, user, args.backlog)
        env = {**os.environ, "FOLLOWUP_DATABASE_URL": url}
        env["FOLLOWUP_WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "true"
        worker_args = ["--batch-size", str(args.batch_size), "--concurrency", str(args.concurrency)]
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "app.worker",
                "--no-scheduler",
                *worker_args,
                cwd=ROOT,
                env=env,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
        arrivals = await wait_for_arrivals(port, args.backlog, 600)
        times = sorted(arrivals.values())
        rate = (len(times) - 1) / (times[-1] - times[0])
        print(f"  {len(times)} delivered at {rate:.0f} deliveries/s")

        print(f"2. latency: {args.rate:.0f} changes/s for {args.seconds:.0f} s, worker running")
        committed = await paced_load(sessionmaker, user, args.rate, args.seconds, args.per_commit)
        arrivals = await wait_for_arrivals(port, args.backlog + len(committed), 120)
        latencies = [arrivals[app_id] - at for app_id, at in committed.items()]
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        print(
            f"  commit -> delivery: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
        count, arrivals = await receiver_stats(port)
        print(f"  requests received: {count}, duplicates: {count - len(arrivals)}")
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace) -> None:
    name = f"followup_bench_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    await admin(args.database_url, f'CREATE DATABASE "{name}"')
    processes: list[asyncio.subprocess.Process] = []
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        await measure(args, url, processes)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            await process.wait()
        await admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--per-commit", type=int, default=1, help="changes per transaction in the latency run"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if args.receiver:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        uvloop.run(serve_receiver())
    else:
        # uvloop (installed with uvicorn[standard]) leaves more of the machine to the worker.
        uvloop.run(run(args))


if __name__ == "__main__":
    main()
