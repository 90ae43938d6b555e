"""The raw-driver reference for bench/perf.py: GET /api/v1/applications, nothing else.

A bare ASGI app on asyncpg and orjson that does the same work as Followup's list
endpoint over the same database, so their ratio says what the framework, the ORM
and the validation cost: check the bearer token against `api_tokens` by its SHA-256
(and its expiry), read the caller's 50 newest applications with the same fields
(reference ids included, sorted), and answer `{"items", "next_cursor"}` with the
same opaque cursor and `Link` header. It is served by uvicorn with the same options
as `followup serve` (uvloop, httptools, no access log).

    BENCH_DATABASE_URL=postgresql://... .venv/bin/uvicorn bench.reference_app:app
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

LIMIT = 50
TOKEN_SQL = "SELECT user_id, expires_at FROM api_tokens WHERE token_hash = $1"
PAGE_SQL = """
SELECT a.id, a.company, a.role_title, a.job_url, a.location, a.notes, a.status,
       a.recruiter_name, a.recruiter_email, a.expected_response_by, a.follow_up_channel,
       a.second_round_expected, a.references_requested_at,
       COALESCE((SELECT array_agg(ar.reference_id ORDER BY ar.reference_id::text)
                 FROM application_references ar WHERE ar.application_id = a.id),
                '{}') AS reference_ids,
       a.source, a.external_id, a.created_at, a.updated_at, a.version
FROM applications a
WHERE a.owner_id = $1
ORDER BY a.created_at DESC, a.id DESC
LIMIT $2
"""
JSON = [(b"content-type", b"application/json")]
UNAUTHORIZED = orjson.dumps({"type": "about:blank", "title": "Unauthorized", "status": 401})


class Reference:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.pool is not None
        if scope["path"] == "/healthz":  # so the harness knows it is up
            await _answer(send, 200, b'{"status":"ok"}', [])
            return
        token = b""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                token = value[7:].strip()
        async with self.pool.acquire() as conn:
            found = await conn.fetchrow(TOKEN_SQL, hashlib.sha256(token).hexdigest())
            if found is None or (
                found["expires_at"] is not None and found["expires_at"] <= datetime.now(UTC)
            ):
                await _answer(send, 401, UNAUTHORIZED, [])
                return
            rows = await conn.fetch(PAGE_SQL, found["user_id"], LIMIT + 1)
        items = [dict(row) for row in rows[:LIMIT]]
        next_cursor = None
        headers: list[tuple[bytes, bytes]] = []
        if len(rows) > LIMIT:
            last = items[-1]
            raw = orjson.dumps([last["created_at"].isoformat(), str(last["id"])])
            next_cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            url = f"http://{_host(scope)}{scope['path']}?cursor={next_cursor}"
            headers.append((b"link", f'<{url}>; rel="next"'.encode()))
        body = orjson.dumps({"items": items, "next_cursor": next_cursor})
        await _answer(send, 200, body, headers)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                url = os.environ["BENCH_DATABASE_URL"]
                # The same pool size as SQLAlchemy's default (5, overflow 10).
                self.pool = await asyncpg.create_pool(
                    url, min_size=5, max_size=15, init=_uuids_as_text
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _uuids_as_text(conn: asyncpg.Connection) -> None:
    # orjson can't encode asyncpg's own UUID class; text is what the JSON needs anyway.
    await conn.set_type_codec("uuid", encoder=str, decoder=str, schema="pg_catalog")


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
