"""A real Followup server for browser tests: uvicorn in a subprocess on a free loopback
port, against a throwaway migrated SQLite database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.core.migrations import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early with code {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a starting server, not timing anything
    raise RuntimeError(f"the server did not answer within {STARTUP_TIMEOUT:.0f} s")


@contextmanager
def live_server(workdir: Path, **settings: str) -> Iterator[str]:
    """Yields the server's base URL; stops the server afterwards.

    `settings` are extra FOLLOWUP_* variables, named without the prefix.
    """
    env = {
        **os.environ,
        **{f"FOLLOWUP_{name.upper()}": value for name, value in settings.items()},
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{workdir / 'browser.db'}",
        "FOLLOWUP_RUN_WORKER": "false",
        "FOLLOWUP_ENV": "development",
    }
    # In a subprocess: Alembic runs its own event loop, which can't nest in Playwright's.
    subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--log-level", "warning"]
    with serving(command, env, workdir) as base_url:
        yield base_url


@contextmanager
def serving(command: list[str], env: dict[str, str], workdir: Path) -> Iterator[str]:
    """Runs `command` plus `--host 127.0.0.1 --port <free port>` until it answers
    /healthz; yields its base URL; stops it (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    log = (workdir / "server.log").open("ab")
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def require_chromium() -> str:
    """The browser tests must fail, not skip, when Chromium is missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `apt-get update && apt-get install -y chromium` "
            "(.ci/run does this before `make test`)."
        )
    return CHROMIUM
