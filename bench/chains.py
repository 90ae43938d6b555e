"""Creates through the API as a client makes them: a chain of four, many in flight.

Each chain creates an application, adds an interviewer to it, an interview with that
interviewer, then an event naming both, every step waiting for the id the one
before returned (as a client must). `in_flight` chains run at once, each on its own
keep-alive connection, for `seconds`; every 201 counts as a create, whatever the
resource. wrk can't do this (its script can't tie a response to its connection),
so it is a small asyncio client on raw HTTP/1.1: a general one (httpx) would spend
as much CPU per request as the server, on a machine whose two cores the server, the
database and the load already share.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import orjson
import uvloop
import wrk

STEPS = ("application", "interviewer", "interview", "event")


@dataclass(frozen=True, slots=True)
class Result:
    creates_per_s: float  # 201s of all four kinds, per second
    chains_per_s: float  # whole chains
    p50_ms: float  # each request's
    p99_ms: float
    errors: int  # answers other than 201, and broken connections
    cpu_ms: float | None  # the server's, per create


class _Connection:
    """One HTTP/1.1 keep-alive connection, for POSTs with JSON bodies."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.head += "Content-Type: application/json\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        request = f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(request.encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding") == "chunked":
            payload = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                payload += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            payload = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection") == "close":
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class _Tally:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.creates = self.chains = self.errors = 0
        self.latencies: list[float] = []


BASE = "/api/v1/applications"
APPLICATION = orjson.dumps({"company": "Chain Co", "role_title": "Platform Engineer"})
INTERVIEWER = orjson.dumps({"name": "Ada Interviewer"})


def _request(step: str, ids: dict[str, str]) -> tuple[str, bytes]:
    """The path and body of `step`, given the ids the chain's earlier steps returned."""
    if step == "application":
        return BASE, APPLICATION
    under = f"{BASE}/{ids['application']}/{step}s"
    if step == "interviewer":
        return under, INTERVIEWER
    if step == "interview":
        starts = datetime.now(UTC) - timedelta(hours=2)  # it has happened: thanks are due
        return under, orjson.dumps({"starts_at": starts, "interviewer_ids": [ids["interviewer"]]})
    event = {
        "type": "thank_you_email",
        "channel": "email",
        "interviewer_id": ids["interviewer"],
        "interview_id": ids["interview"],
    }
    return under, orjson.dumps(event)


async def _chain(connection: _Connection, tally: _Tally) -> None:
    """Chains, one after another, until the deadline; a failed step ends its chain."""
    while time.perf_counter() < tally.deadline:
        ids: dict[str, str] = {}
        for step in STEPS:
            path, body = _request(step, ids)
            started = time.perf_counter()
            try:
                status, payload = await connection.post(path, body)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                connection.close()
                status, payload = 0, b""
            tally.latencies.append(time.perf_counter() - started)
            if status != 201:
                tally.errors += 1
                break
            tally.creates += 1
            ids[step] = orjson.loads(payload)["id"]
        else:
            tally.chains += 1


async def _drive(url: str, token: str, in_flight: int, seconds: float) -> _Tally:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tally = _Tally(time.perf_counter() + seconds)
    connections = [_Connection(host, port, token) for _ in range(in_flight)]
    try:
        await asyncio.gather(*(_chain(c, tally) for c in connections))
    finally:
        for connection in connections:
            connection.close()
    return tally


def run(
    url: str,
    token: str,
    *,
    in_flight: int,
    seconds: float,
    warm_up: float = 1.0,
    server_pid: int | None = None,
) -> Result:
    """Chains against the server at `url` (scheme, host and port only) as `token`'s user.

    The first `warm_up` seconds aren't counted: the first requests of each kind
    build what the server caches, and open the connections."""
    uvloop.run(_drive(url, token, in_flight, warm_up))
    cpu_before = wrk.cpu_seconds(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    tally = uvloop.run(_drive(url, token, in_flight, seconds))
    elapsed = time.perf_counter() - started
    cpu_ms = None
    if server_pid and tally.creates:
        cpu_ms = (wrk.cpu_seconds(server_pid) - cpu_before) * 1000 / tally.creates
    latencies = sorted(tally.latencies) or [0.0]
    return Result(
        tally.creates / elapsed,
        tally.chains / elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        tally.errors,
        cpu_ms,
    )
