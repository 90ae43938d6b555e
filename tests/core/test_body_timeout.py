"""A request body that stops arriving is given up on: 408, the connection closed, and the
log blames the client (no traceback, no 500). Against a real server: only a real socket
can announce a body and then send nothing."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.live_server import serving

STALLED = (
    b"POST /api/v1/auth/register HTTP/1.1\r\n"
    b"Host: test\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 100000\r\n"
    b"\r\n"
    b'{"email": "slow@example.com", '
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`followup serve` (request log on) with a 1 s body timeout; yields (address, log)."""
    workdir = tmp_path_factory.mktemp("body-timeout")
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{workdir / 'timeout.db'}",
        "FOLLOWUP_ENV": "development",
        "FOLLOWUP_RUN_WORKER": "false",
        "FOLLOWUP_BODY_TIMEOUT_SECONDS": "1",
    }
    with serving([sys.executable, "-m", "app.cli", "serve"], env, workdir) as base_url:
        yield base_url, workdir / "server.log"


def _connect(base_url: str) -> socket.socket:
    address = urlsplit(base_url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    sock.sendall(STALLED)
    return sock


def _log_lines(log: Path, path: str, status: int) -> list[dict[str, object]]:
    """The request lines for `path` with `status`, waiting for one to be written."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
        found = [x for x in lines if x.get("path") == path and x.get("status") == status]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)  # waiting for the server to write its line, not timing anything


def _assert_no_server_error(log: Path) -> None:
    text = log.read_text()
    assert "Traceback" not in text, text
    assert '"status":500' not in text, text


def test_a_stalled_body_is_answered_408_and_the_connection_closed(
    server: tuple[str, Path],
) -> None:
    base_url, log = server
    with _connect(base_url) as sock:
        received = b""
        while chunk := sock.recv(65536):  # until the server closes (socket timeout: 10 s)
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), received
    assert b"content-type: application/problem+json" in head.lower()
    assert b"connection: close" in head.lower()
    assert json.loads(body)["status"] == 408
    assert _log_lines(log, "/api/v1/auth/register", 408)
    _assert_no_server_error(log)


def test_a_client_that_leaves_mid_body_is_not_a_server_error(server: tuple[str, Path]) -> None:
    base_url, log = server
    with _connect(base_url):
        pass  # gone, with 100,000 bytes announced and 31 sent
    assert _log_lines(log, "/api/v1/auth/register", 499)
    _assert_no_server_error(log)
