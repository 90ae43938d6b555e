"""Instructions per request, counted by callgrind: a figure this shared machine can't move.

    .venv/bin/python bench/perf.py --keep ...        # once: seeds a database, prints its name
    .venv/bin/python bench/instructions.py --reuse followup_perf_1a2b3c4d

Requests per second and CPU time per request drift by a third from one minute to the
next on a machine with neighbours, more than most single changes are worth. The
number of instructions the server's process executes for a request does not:
repeated runs agree within about half a percent. For each endpoint this starts a
child Python under `valgrind --tool=callgrind` with instrumentation off, builds the
app as `followup serve` would (production settings, request log on, written to
/dev/null), sends warm-up requests straight to the ASGI app (no network, no uvicorn),
then turns instrumentation on (`callgrind_control -i on`) for the measured requests
only. What it counts: our middleware, FastAPI, SQLAlchemy, asyncpg's client side and
the encoders. What it doesn't: uvicorn, the kernel, PostgreSQL.

The list, the detail and the recommendations are the heavy user's (their content
stays the same from run to run); the creates are the light user's, so they don't
change the heavy user's list. Then bench/reference_app.py doing the list's work,
counted the same way: the ratio of the two lists is the CPU work ratio that
perf.py's wrk runs can only estimate. The last two rows are floors: what any request
costs before it does anything (/healthz), and once its token is checked (/me).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = ROOT / "var"
CREATE_BODY = json.dumps({"company": "Bench Co", "role_title": "Platform Engineer"}).encode()
_COLLECTED = re.compile(r"Collected : (\d+)")


REFERENCE = "reference (asyncpg + orjson), same list"
FLOOR_NO_DATABASE = "floor: GET /healthz (no database)"
FLOOR_AUTH_ONLY = "floor: GET /api/v1/me (the token's user)"


def _endpoints(state: dict[str, Any]) -> dict[str, tuple[str, str, str, bytes]]:
    """name: (method, path, token, body)."""
    heavy, light = state["heavy"]["token"], state["light"]["token"]
    return {
        "GET /api/v1/applications?limit=50": ("GET", "/api/v1/applications?limit=50", heavy, b""),
        "GET /api/v1/applications/{id}": (
            "GET",
            f"/api/v1/applications/{state['heavy_application_id']}",
            heavy,
            b"",
        ),
        "GET /api/v1/recommendations": ("GET", "/api/v1/recommendations", heavy, b""),
        "POST /api/v1/applications": ("POST", "/api/v1/applications", light, CREATE_BODY),
        REFERENCE: ("GET", "/api/v1/applications?limit=50", heavy, b""),
        # Floors, for reading the rows above: the same stack with no database work
        # (middleware, routing, a response model), then with authentication only.
        FLOOR_NO_DATABASE: ("GET", "/healthz", heavy, b""),
        FLOOR_AUTH_ONLY: ("GET", "/api/v1/me", heavy, b""),
    }


def _scope(method: str, target: str, token: str, body: bytes) -> dict[str, Any]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _request(app: Any, scope: dict[str, Any], body: bytes) -> int:
    delivered = False
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(dict(scope), receive, send)
    return statuses[0]


def _app(name: str) -> Any:
    if name == REFERENCE:
        from bench.reference_app import app as reference

        return reference
    from app.core.request_log import configure_request_logging
    from app.main import create_app

    configure_request_logging()  # as `followup serve` does; stdout is /dev/null here
    return create_app()


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    """The ASGI lifespan protocol, as a server drives it: startup, then shutdown."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    if (await outbox.get())["type"] != "lifespan.startup.complete":
        raise SystemExit("the app did not start")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def _child(name: str, requests: int, warmup: int, state: dict[str, Any]) -> None:
    app = _app(name)
    method, target, token, body = _endpoints(state)[name]
    scope = _scope(method, target, token, body)
    async with _lifespan(app):
        for _ in range(warmup):
            status = await _request(app, scope, body)
            if status >= 300:
                raise SystemExit(f"{method} {target} answered {status}")
        _instrumentation("on")
        for _ in range(requests):
            await _request(app, scope, body)
        _instrumentation("off")


def _instrumentation(state: str) -> None:
    subprocess.run(
        ["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True
    )


def _count(name: str, url: str, state_file: Path, requests: int, warmup: int) -> float:
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_ENV": "production",
        "FOLLOWUP_SECRET_KEY": secrets.token_urlsafe(32),
        "FOLLOWUP_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FOLLOWUP_RUN_WORKER": "false",
        "BENCH_DATABASE_URL": url,  # the reference's
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    args = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        name,
        "--state",
        str(state_file),
        "--requests",
        str(requests),
        "--warmup",
        str(warmup),
    ]
    done = subprocess.run(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{name}: the callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1)) / requests


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database kept by perf.py --keep")
    parser.add_argument("--requests", type=int, default=200, help="counted, per endpoint")
    parser.add_argument("--warmup", type=int, default=50, help="not counted, per endpoint")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        state = json.loads(args.state.read_text())
        asyncio.run(_child(args.child, args.requests, args.warmup, state))
        return
    if not args.reuse:
        parser.error("--reuse is required: seed a database with bench/perf.py --keep first")
    state_file = STATE_DIR / f"perf-{args.reuse}.json"
    url = make_url(args.database_url).set(database=args.reuse)
    print("| endpoint | instructions per request |")
    print("|---|---:|")
    counts: dict[str, float] = {}
    for name in _endpoints(json.loads(state_file.read_text())):
        counts[name] = _count(
            name, url.render_as_string(hide_password=False), state_file, args.requests, args.warmup
        )
        print(f"| {name} | {counts[name] / 1e6:.2f} M |", flush=True)
    ratio = counts[REFERENCE] / counts["GET /api/v1/applications?limit=50"]
    print(f"\nlist: the reference's instructions / Followup's = {ratio:.2f}")


if __name__ == "__main__":
    main()
