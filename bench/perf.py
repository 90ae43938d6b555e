"""Followup under load on PostgreSQL, side by side with a raw-driver reference.

    .venv/bin/python bench/perf.py --database-url postgresql://root@127.0.0.1:5432/test

One command, a few minutes: it creates a fresh database on that server, migrates and
seeds it through the service layer (100 users, one with 1,000 applications of
2 interviews, 3 interviewers and 6 events each), starts `followup serve` as
production runs it (one process, production settings, the worker elsewhere), and
drives it with wrk (one load thread: the machine has two cores). The list endpoint
is run against bench/reference_app.py (asyncpg + orjson, the same work over the
same data) interleaved, A B A B, and their ratio is quoted as the median of the
pairs, because absolute figures drift on a shared machine. SQL statements per
request come from a separate start of the server with `FOLLOWUP_COUNT_SQL=true`,
for the heavy user and a light one (they must match: constant in the data size).
The database is dropped at the end unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import wrk  # bench/ is the script's folder, so its siblings import as top-level modules
from bench_webhooks import admin
from perf_seed import Account, Seeded, seed
from sqlalchemy.engine import make_url

from app.core.migrations import upgrade_to_head

VENV_BIN = Path(sys.executable).parent
PROJECT_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path("var")
LIST = "GET /api/v1/applications?limit=50"
CREATE_BODY = json.dumps({"company": "Bench Co", "role_title": "Platform Engineer"})


@contextmanager
def serving(
    args: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[tuple[int, float]]:
    """Start a server; yield its pid and the seconds from start to the first 200 on /healthz."""
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(args, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        # One client for all the polls: `httpx.get` builds a client (and its TLS context)
        # every time, 30 to 80 ms here, which delayed seeing the first 200 by as much.
        with httpx.Client(timeout=1) as poller:
            while True:
                if process.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"{args[0]} did not come up: see {log}")
                try:
                    if poller.get(url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
        yield process.pid, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def followup(
    url: str, port: int, log: Path, *, count_sql: bool, code: Path | None = None
) -> AbstractContextManager[tuple[int, float]]:
    """`followup serve` on `url`; with `code`, that checkout's app/ instead of this one's
    (bench/compare.py), with this venv's packages."""
    env = {
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_ENV": "production",
        "FOLLOWUP_SECRET_KEY": secrets.token_urlsafe(32),
        # As the API processes run at scale: the worker is a process of its own.
        "FOLLOWUP_RUN_WORKER": "false",
        "FOLLOWUP_COUNT_SQL": "true" if count_sql else "false",
    }
    if code is not None:
        env["PYTHONPATH"] = str(code)  # found before the editable install's app/
    compile_bytecode((code or PROJECT_ROOT) / "app")
    args = [str(VENV_BIN / "followup"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return serving(args, env, port, log)


def compile_bytecode(package: Path) -> None:
    """Write `package`'s .pyc files, as the production image has them (Dockerfile).

    Otherwise a machine with PYTHONDONTWRITEBYTECODE set (this one) compiles every
    module from source at each start: about a tenth of the instructions to the first
    healthy response (callgrind: importing app.main, 5.58 G without, 4.99 G with)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def reference(url: str, port: int, log: Path) -> AbstractContextManager[tuple[int, float]]:
    args = [str(VENV_BIN / "uvicorn"), "bench.reference_app:app", "--port", str(port)]
    args += ["--no-access-log", "--log-level", "warning"]
    return serving(args, {"BENCH_DATABASE_URL": url}, port, log)


def endpoints(
    account: Account, application_id: str, writer: Account | None = None
) -> dict[str, tuple[str, dict[str, str], str | None]]:
    """`account`'s requests; the create is `writer`'s if given."""
    bearer = {"Authorization": f"Bearer {account.token}"}
    writes = {"Authorization": f"Bearer {(writer or account).token}"}
    return {
        LIST: ("/api/v1/applications?limit=50", bearer, None),
        "GET /api/v1/applications/{id}": (f"/api/v1/applications/{application_id}", bearer, None),
        "GET /api/v1/recommendations": ("/api/v1/recommendations", bearer, None),
        "GET / (dashboard page)": ("/", {"Cookie": f"followup_session={account.web_cookie}"}, None),
        "POST /api/v1/applications": ("/api/v1/applications", writes, CREATE_BODY),
    }


def statement_counts(base: str, seeded: Seeded) -> dict[str, tuple[int, int]]:
    """Statements per request for the heavy and the light user, after a warm-up request."""
    counts: dict[str, list[int]] = {}
    light_id = _first_application(base, seeded.light)
    for account, app_id in ((seeded.heavy, seeded.heavy_application_id), (seeded.light, light_id)):
        for name, (path, headers, body) in endpoints(account, app_id).items():
            with httpx.Client(base_url=base, timeout=60) as client:
                for _ in range(2):  # the first one may write the token's last_used_at
                    if body is None:
                        r = client.get(path, headers=headers)
                    else:
                        r = client.post(
                            path,
                            headers={**headers, "Content-Type": "application/json"},
                            content=body,
                        )
                    r.raise_for_status()
            counts.setdefault(name, []).append(int(r.headers["x-sql-statements"]))
    return {name: (c[0], c[1]) for name, c in counts.items()}


def _first_application(base: str, account: Account) -> str:
    r = httpx.get(
        f"{base}/api/v1/applications?limit=1", headers={"Authorization": f"Bearer {account.token}"}
    )
    r.raise_for_status()
    return str(r.json()["items"][0]["id"])


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process, in MB, from /proc."""
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def load(
    base: str, pid: int, seeded: Seeded, duration: float, connections: int
) -> dict[str, wrk.Result]:
    """Each endpoint once; the heavy pages one request at a time (their p50 is the target).

    Creates are the light user's: as the heavy user's, each run would add a few
    thousand applications to the user whose list and next steps are measured."""
    results = {}
    requests = endpoints(seeded.heavy, seeded.heavy_application_id, writer=seeded.light)
    for name, (path, headers, body) in requests.items():
        if name == LIST:
            continue  # measured interleaved with the reference
        heavy = "recommendations" in name or "dashboard" in name
        results[name] = wrk.run(
            base + path,
            duration=duration * 2 if heavy else duration,
            connections=1 if heavy else connections,
            headers=headers,
            post_json=body,
            server_pid=pid,
        )
    return results


def interleaved(
    followup: tuple[str, int],
    reference: tuple[str, int],
    token: str,
    rounds: int,
    duration: float,
    connections: int,
) -> tuple[list[wrk.Result], list[wrk.Result]]:
    """A B A B: Followup's list endpoint, then the reference's, `rounds` times.

    Each is (base URL, server pid)."""
    headers = {"Authorization": f"Bearer {token}"}
    ours: list[wrk.Result] = []
    theirs: list[wrk.Result] = []
    for _ in range(rounds):
        for (base, pid), out in ((followup, ours), (reference, theirs)):
            out.append(
                wrk.run(
                    f"{base}/api/v1/applications?limit=50",
                    duration=duration,
                    connections=connections,
                    headers=headers,
                    server_pid=pid,
                )
            )
    return ours, theirs


def _median(results: list[wrk.Result]) -> wrk.Result:
    return wrk.Result(
        statistics.median(r.rate for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        statistics.median(r.cpu_ms or 0.0 for r in results),
    )


def table(
    results: dict[str, wrk.Result],
    ours: list[wrk.Result],
    theirs: list[wrk.Result],
    counts: dict[str, tuple[int, int]],
) -> str:
    list_name = LIST
    ratios = [a.rate / b.rate for a, b in zip(ours, theirs, strict=True)]
    cpu_ratios = [(b.cpu_ms or 0) / (a.cpu_ms or 1) for a, b in zip(ours, theirs, strict=True)]
    rows = [
        "| endpoint | req/s | p50 ms | p99 ms | vs reference | server CPU ms/req"
        " | SQL per request (heavy / light user) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, r: wrk.Result, ratio: str, sql: str) -> None:
        figures = f"{r.rate:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {ratio}"
        cpu = f"{r.cpu_ms:.2f}" if r.cpu_ms else ""
        rows.append(f"| {name} | {figures} | {cpu} | {sql} | {r.errors} |")

    for name, r in {list_name: _median(ours), **results}.items():
        ratio = f"**{statistics.median(ratios):.2f}x**" if name == list_name else ""
        row(name, r, ratio, "{} / {}".format(*counts[name]))
    row("reference (asyncpg + orjson), same list", _median(theirs), "1.00x", "2 / 2")
    rows.append("")
    rows.append("list ratio per A/B pair: " + ", ".join(f"{x:.2f}" for x in ratios))
    rows.append(
        "list ratio of server CPU per request (reference / Followup), per pair: "
        + ", ".join(f"{x:.2f}" for x in cpu_ratios)
        + f" (median {statistics.median(cpu_ratios):.2f})"
    )
    return "\n".join(rows)


async def prepare(args: argparse.Namespace) -> tuple[str, str, Seeded]:
    state = STATE_DIR / f"perf-{args.reuse}.json" if args.reuse else None
    if state is not None:
        kept = make_url(args.database_url).set(database=args.reuse)
        data = json.loads(state.read_text())
        seeded = Seeded(
            Account(**data["heavy"]), data["heavy_application_id"], Account(**data["light"])
        )
        return args.reuse, kept.render_as_string(hide_password=False), seeded
    name = f"followup_perf_{secrets.token_hex(4)}"
    await admin(args.database_url, f'CREATE DATABASE "{name}"')
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade_to_head, url)
    started = time.perf_counter()
    seeded = await seed(
        url, users=args.users, heavy_applications=args.applications, light_applications=args.light
    )
    print(f"seeded {name} in {time.perf_counter() - started:.0f} s", flush=True)
    if args.keep:
        _remember(name, seeded)
    return name, url, seeded


def _remember(name: str, seeded: Seeded) -> None:
    STATE_DIR.mkdir(exist_ok=True)
    (STATE_DIR / f"perf-{name}.json").write_text(
        json.dumps(
            {
                "heavy": asdict(seeded.heavy),
                "heavy_application_id": seeded.heavy_application_id,
                "light": asdict(seeded.light),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--applications", type=int, default=1000, help="the heavy user's")
    parser.add_argument("--light", type=int, default=10, help="applications of every other user")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="A/B pairs for the list endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--keep", action="store_true", help="keep the database (see --reuse)")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database kept by an earlier --keep")
    args = parser.parse_args()

    name, url, seeded = asyncio.run(prepare(args))
    log = Path(f"/tmp/{name}.log")
    base, ref_base = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}"
    try:
        with followup(url, args.port, log, count_sql=True) as (_, counting_start):
            counts = statement_counts(base, seeded)
        with (
            followup(url, args.port, log, count_sql=False) as (pid, start),
            reference(url, args.port + 1, log) as (ref_pid, _),
        ):
            ours, theirs = interleaved(
                (base, pid),
                (ref_base, ref_pid),
                seeded.heavy.token,
                args.rounds,
                args.duration,
                args.connections,
            )
            results = load(base, pid, seeded, args.duration, args.connections)
            rss, peak = rss_mb(pid)
    finally:
        if not args.keep and not args.reuse:
            asyncio.run(admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print()
    print(table(results, ours, theirs, counts))
    print(f"server RSS after the run: {rss:.0f} MB (peak {peak:.0f} MB)")
    print(
        "`followup serve` to first 200 on /healthz (migrated database): "
        f"{start:.2f} s (and {counting_start:.2f} s)"
    )
    load_1, load_5, _ = os.getloadavg()
    print(f"load average at the end: {load_1:.2f} (1 min), {load_5:.2f} (5 min)")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
        f"({platform.machine()}), Python {platform.python_version()}, "
        f"wrk -t1 -c{args.connections}, {args.duration:g} s runs "
        "(recommendations and dashboard: -c1, twice as long)"
    )


if __name__ == "__main__":
    main()
