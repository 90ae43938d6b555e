"""Followup under load on PostgreSQL, beside a bare FastAPI app and a raw-driver reference.

    .venv/bin/python bench/perf.py --database-url postgresql://root@127.0.0.1:5432/test

One command, about five minutes: it creates a fresh database on that server, migrates
and seeds it through the service layer (100 users, one with 1,000 applications of
2 interviews, 3 interviewers and 6 events each), starts `followup serve` as
production runs it (one process, production settings, the worker elsewhere), and
measures it from outside:

- the heavy user's page of 50 and one application, with wrk (one load thread: the
  machine has two cores) at 8 and 32 connections, against bench/bare_app.py (plain
  FastAPI, the product's SQL) and bench/reference_app.py (asyncpg + orjson, the same
  SQL) serving the same database, interleaved (the three servers in turn, the order
  rotated every round), the ratios quoted as the medians of the rounds' ratios,
  because absolute figures drift on a shared machine;
- creates through the routes, chains of application, interviewer, interview, event
  with 16 in flight (bench/chains.py), as creates of any kind per second;
- the next steps and the dashboard page, one client: their p50 is the target;
- the server's peak resident memory over all of it.

The Followup server inherits this script's environment, so a `FOLLOWUP_` setting
given on the command line (say, to turn a feature off) reaches it; the ones set
are printed with the figures. SQL statements per request come from a separate start
of the server with `FOLLOWUP_COUNT_SQL=true`, for the heavy user and a light one
(they must match: constant in the data size). The database is dropped at the end
unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from pathlib import Path

import chains
import httpx
import perf_report
import wrk  # bench/ is the script's folder, so its siblings import as top-level modules
from bench_webhooks import admin
from perf_report import DETAIL, LIST, Runs
from perf_seed import Account, Seeded, seed
from sqlalchemy.engine import make_url

from app.core.migrations import upgrade_to_head

VENV_BIN = Path(sys.executable).parent
BENCH = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH.parent
STATE_DIR = Path("var")
CREATE_BODY = json.dumps({"company": "Bench Co", "role_title": "Platform Engineer"})
# The chain's load: as many chains in flight as the target names.
IN_FLIGHT = 16


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
        "FOLLOWUP_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
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


def comparison(
    module: str, url: str, port: int, log: Path
) -> AbstractContextManager[tuple[int, float]]:
    """bench/`module`.py's `app` under uvicorn, as `followup serve` runs (uvloop,
    httptools, no access log)."""
    args = [str(VENV_BIN / "uvicorn"), f"{module}:app", "--app-dir", str(BENCH)]
    args += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    return serving(args, {"BENCH_DATABASE_URL": url}, port, log)


def endpoints(
    account: Account, application_id: str, writer: Account
) -> dict[str, tuple[str, dict[str, str], str | None]]:
    """`account`'s requests, and a create as `writer`."""
    bearer = {"Authorization": f"Bearer {account.token}"}
    return {
        LIST: ("/api/v1/applications?limit=50", bearer, None),
        DETAIL: (f"/api/v1/applications/{application_id}", bearer, None),
        perf_report.RECOMMENDATIONS: ("/api/v1/recommendations", bearer, None),
        perf_report.DASHBOARD: (
            "/",
            {"Cookie": f"followup_session={account.web_cookie}"},
            None,
        ),
        "POST /api/v1/applications": (
            "/api/v1/applications",
            {"Authorization": f"Bearer {writer.token}"},
            CREATE_BODY,
        ),
    }


def statement_counts(base: str, seeded: Seeded) -> dict[str, tuple[int, int]]:
    """Statements per request for the heavy and the light user, after a warm-up request.

    Creates are always the light user's, so the heavy user keeps the data measured."""
    counts: dict[str, list[int]] = {}
    light_id = _first_application(base, seeded.light)
    for account, app_id in ((seeded.heavy, seeded.heavy_application_id), (seeded.light, light_id)):
        for name, (path, headers, body) in endpoints(account, app_id, seeded.light).items():
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


def one_client(base: str, pid: int, seeded: Seeded, duration: float) -> dict[str, wrk.Result]:
    """The heavy user's next steps and dashboard, one request at a time (their p50 is
    the target), twice as long as the other runs."""
    requests = endpoints(seeded.heavy, seeded.heavy_application_id, seeded.light)
    results = {}
    for name in (perf_report.RECOMMENDATIONS, perf_report.DASHBOARD):
        path, headers, _ = requests[name]
        results[name] = wrk.run(
            base + path, duration=duration * 2, connections=1, headers=headers, server_pid=pid
        )
    return results


def interleaved(
    servers: list[tuple[str, str, int]],
    seeded: Seeded,
    rounds: int,
    duration: float,
    connections: list[int],
) -> Runs:
    """The list and the detail on every server in turn, `rounds` times at each number of
    connections; the order of the servers rotates every round, so none always follows
    the same one. Servers are (name, base URL, pid)."""
    requests = endpoints(seeded.heavy, seeded.heavy_application_id, seeded.light)
    # A second of each first, not counted: the first requests fill each server's pool
    # and caches, which would otherwise land in whichever server the first round
    # starts with.
    for _, base, _ in servers:
        for endpoint in (LIST, DETAIL):
            path, headers, _ = requests[endpoint]
            wrk.run(base + path, duration=1, connections=max(connections), headers=headers)
    runs: Runs = {}
    for count in connections:
        for number in range(rounds):
            shift = number % len(servers)
            for name, base, pid in servers[shift:] + servers[:shift]:
                for endpoint in (LIST, DETAIL):
                    path, headers, _ = requests[endpoint]
                    result = wrk.run(
                        base + path,
                        duration=duration,
                        connections=count,
                        headers=headers,
                        server_pid=pid,
                    )
                    runs.setdefault((endpoint, count, name), []).append(result)
    return runs


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
    parser.add_argument("--duration", type=float, default=4, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--port", type=int, default=8701, help="and the next two")
    parser.add_argument("--keep", action="store_true", help="keep the database (see --reuse)")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database kept by an earlier --keep")
    args = parser.parse_args()

    name, url, seeded = asyncio.run(prepare(args))
    log = Path(f"/tmp/{name}.log")
    bases = [f"http://127.0.0.1:{args.port + n}" for n in range(3)]
    load_at_start = os.getloadavg()[0]  # above the cores' count, other work competes
    try:
        with followup(url, args.port, log, count_sql=True) as (_, counting_start):
            counts = statement_counts(bases[0], seeded)
        with (
            followup(url, args.port, log, count_sql=False) as (pid, start),
            comparison("bare_app", url, args.port + 1, log) as (bare_pid, _),
            comparison("reference_app", url, args.port + 2, log) as (raw_pid, _),
        ):
            servers = [
                (perf_report.FOLLOWUP, bases[0], pid),
                (perf_report.BARE, bases[1], bare_pid),
                (perf_report.RAW, bases[2], raw_pid),
            ]
            runs = interleaved(servers, seeded, args.rounds, args.duration, args.connections)
            singles = one_client(bases[0], pid, seeded, args.duration)
            created = chains.run(
                bases[0],
                seeded.light.token,  # the heavy user's list and next steps stay as seeded
                in_flight=IN_FLIGHT,
                seconds=args.duration * 2,
                server_pid=pid,
            )
            memory = {server: rss_mb(p) for server, _, p in servers}
    finally:
        if not args.keep and not args.reuse:
            asyncio.run(admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print()
    figures = perf_report.Figures(
        runs, args.connections, singles, created, IN_FLIGHT, counts, memory
    )
    print(perf_report.report(figures))
    print(
        "`followup serve` to first 200 on /healthz (migrated database): "
        f"{start:.2f} s (and {counting_start:.2f} s)"
    )
    print(perf_report.footer(args.duration, args.rounds, args.connections, load_at_start))


if __name__ == "__main__":
    main()
