"""The raw-driver reference for bench/perf.py: an application and the page of 50.

A bare ASGI app on asyncpg and orjson that does the same work as Followup's
`GET /api/v1/applications?limit=50` and `GET /api/v1/applications/{id}` over the same
database, with the same SQL (same_sql.py), so Followup's ratio to it says what the
framework, the ORM and the validation cost: look the bearer token up by its SHA-256
with its user (and check its expiry, noting its use once a minute), then read the
caller's 50 newest applications, or the one asked for and its reference ids, and
answer the product's JSON (`{"items", "next_cursor"}` with the same opaque cursor and
`Link` header; the application with its `ETag`). Nothing else: other paths are 404,
the page takes no query parameters. It is served by uvicorn with the same options as
`followup serve` (uvloop, httptools, no access log).

    BENCH_DATABASE_URL=postgresql://... .venv/bin/uvicorn --app-dir bench reference_app:app
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import same_sql  # served with --app-dir bench, so its siblings import as top-level modules

LIMIT = 50
PREFIX = "/api/v1/applications"
TOKEN_SQL, _ = same_sql.positional(same_sql.TOKEN)
TOUCH_SQL, _ = same_sql.positional(same_sql.TOUCH_TOKEN)
PAGE_SQL, _ = same_sql.positional(same_sql.PAGE)
APPLICATION_SQL, _ = same_sql.positional(same_sql.APPLICATION)
REFERENCES_SQL, _ = same_sql.positional(same_sql.REFERENCE_IDS)
JSON = [(b"content-type", b"application/json")]
# OPT_UTC_Z: UTC as "Z", as pydantic writes it in the product's answers.
UTC_Z = orjson.OPT_UTC_Z


def _problem(status: int, title: str) -> bytes:
    return orjson.dumps({"type": "about:blank", "title": title, "status": status})


UNAUTHORIZED = _problem(401, "Unauthorized")
NOT_FOUND = _problem(404, "Not Found")


class Reference:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.pool is not None
        path: str = scope["path"]
        if path == "/healthz":  # so the harness knows it is up
            await _answer(send, 200, b'{"status":"ok"}', [])
            return
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            await _answer(send, 404, NOT_FOUND, [])
            return
        token = b""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                token = value[7:].strip()
        async with self.pool.acquire() as conn:
            owner_id = await _caller(conn, token)
            if owner_id is None:
                await _answer(send, 401, UNAUTHORIZED, [])
            elif path == PREFIX:
                await _page(conn, owner_id, scope, send)
            else:
                await _application(conn, owner_id, path[len(PREFIX) + 1 :], send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                url = os.environ["BENCH_DATABASE_URL"]
                # As many connections as the product's SQLAlchemy pool holds (10 + 10).
                self.pool = await asyncpg.create_pool(url, min_size=10, max_size=20)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _caller(conn: asyncpg.Connection, token: bytes) -> uuid.UUID | None:
    """The token's user's id, or None if it is unknown or expired."""
    found = await conn.fetchrow(TOKEN_SQL, hashlib.sha256(token).hexdigest())
    now = datetime.now(UTC)
    if found is None or (found["expires_at"] is not None and found["expires_at"] <= now):
        return None
    last_used = found["last_used_at"]
    if last_used is None or now - last_used > same_sql.LAST_USED_PRECISION:
        await conn.execute(TOUCH_SQL, now, found["token_id"])
    user_id: uuid.UUID = found["id"]
    return user_id


async def _page(
    conn: asyncpg.Connection, owner_id: uuid.UUID, scope: dict[str, Any], send: Any
) -> None:
    rows = await conn.fetch(PAGE_SQL, owner_id, LIMIT + 1)
    items = [dict(row) for row in rows[:LIMIT]]
    next_cursor = None
    headers: list[tuple[bytes, bytes]] = []
    if len(rows) > LIMIT:
        next_cursor = same_sql.next_cursor(items[-1]["created_at"], items[-1]["id"])
        url = f"http://{_host(scope)}{scope['path']}?cursor={next_cursor}"
        headers.append((b"link", f'<{url}>; rel="next"'.encode()))
    body = orjson.dumps({"items": items, "next_cursor": next_cursor}, option=UTC_Z)
    await _answer(send, 200, body, headers)


async def _application(
    conn: asyncpg.Connection, owner_id: uuid.UUID, raw_id: str, send: Any
) -> None:
    try:
        application_id = uuid.UUID(raw_id)
    except ValueError:
        await _answer(send, 404, NOT_FOUND, [])
        return
    row = await conn.fetchrow(APPLICATION_SQL, owner_id, application_id)
    if row is None:
        await _answer(send, 404, NOT_FOUND, [])
        return
    item = dict(row)
    item["reference_ids"] = [r[0] for r in await conn.fetch(REFERENCES_SQL, application_id)]
    body = orjson.dumps({name: item[name] for name in same_sql.FIELDS}, option=UTC_Z)
    await _answer(send, 200, body, [(b"etag", f'"{item["version"]}"'.encode())])


def _host(scope: dict[str, Any]) -> str:
    for name, value in scope["headers"]:
        if name == b"host":
            return str(value.decode("latin-1"))
    return "localhost"


async def _answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*JSON, (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = Reference()
