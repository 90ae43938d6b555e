"""A bare, idiomatic FastAPI app doing Followup's SQL, for bench/perf.py.

What the two endpoints measured cost in FastAPI written the plain way, with none of
Followup's middleware, so Followup's ratio to it says what the product adds on top
of the framework: one dependency resolves the bearer token (its SHA-256 looked up
with its user, as the product does: same_sql.py), one pooled connection per request
(SQLAlchemy Core's `text()` on the asyncpg engine, with the product's pool size),
and an orjson response.

    GET /api/v1/applications?limit=50[&cursor=...]  the product's page and cursor
    GET /api/v1/applications/{id}                   one application, with its ETag

    BENCH_DATABASE_URL=postgresql://... .venv/bin/uvicorn --app-dir bench bare_app:app
"""

from __future__ import annotations

import binascii
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
import same_sql  # served with --app-dir bench, so its siblings import as top-level modules
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

TOKEN = text(same_sql.TOKEN)
TOUCH_TOKEN = text(same_sql.TOUCH_TOKEN)
PAGE = text(same_sql.PAGE)
PAGE_AFTER = text(same_sql.PAGE_AFTER)
APPLICATION = text(same_sql.APPLICATION)
REFERENCE_IDS = text(same_sql.REFERENCE_IDS)


class OrjsonResponse(JSONResponse):
    # OPT_UTC_Z: UTC as "Z", as pydantic writes it in the product's answers.
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)


def _engine() -> AsyncEngine:
    url = make_url(os.environ["BENCH_DATABASE_URL"]).set(drivername="postgresql+asyncpg")
    return create_async_engine(url, pool_size=10, max_overflow=10)  # the product's pool


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = _engine()
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan, default_response_class=OrjsonResponse)
bearer = HTTPBearer(auto_error=False)


async def connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as conn:
        yield conn


Connection = Annotated[AsyncConnection, Depends(connection)]


async def caller(
    conn: Connection,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> uuid.UUID:
    """The bearer token's user's id, or 401."""
    if credentials is None:
        raise HTTPException(401, "Send your token as `Authorization: Bearer <token>`.")
    digest = same_sql.token_digest(credentials.credentials)
    found = (await conn.execute(TOKEN, {"digest": digest})).first()
    now = datetime.now(UTC)
    if found is None or (found.expires_at is not None and found.expires_at <= now):
        raise HTTPException(401, "The token is not valid or has expired.")
    if found.last_used_at is None or now - found.last_used_at > same_sql.LAST_USED_PRECISION:
        await conn.execute(TOUCH_TOKEN, {"now": now, "token_id": found.token_id})
        await conn.commit()
    user_id: uuid.UUID = found.id
    return user_id


Caller = Annotated[uuid.UUID, Depends(caller)]


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/applications")
async def list_applications(
    owner_id: Caller,
    conn: Connection,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> OrjsonResponse:
    values: dict[str, Any] = {"owner_id": owner_id, "limit": limit + 1}
    statement = PAGE
    if cursor is not None:
        try:
            values["cursor_at"], cursor_id = same_sql.decode_cursor(cursor)
            values["cursor_id"] = uuid.UUID(cursor_id)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise HTTPException(400, "The cursor is not valid.") from exc
        statement = PAGE_AFTER
    rows = (await conn.execute(statement, values)).mappings().all()
    items = [dict(row) for row in rows[:limit]]
    next_cursor = None
    headers = {}
    if len(rows) > limit:
        next_cursor = same_sql.next_cursor(items[-1]["created_at"], items[-1]["id"])
        next_url = request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return OrjsonResponse({"items": items, "next_cursor": next_cursor}, headers=headers)


@app.get("/api/v1/applications/{application_id}")
async def get_application(
    application_id: uuid.UUID, owner_id: Caller, conn: Connection
) -> OrjsonResponse:
    values = {"owner_id": owner_id, "id": application_id}
    row = (await conn.execute(APPLICATION, values)).mappings().first()
    if row is None:
        raise HTTPException(404, "No such application.")
    item = dict(row)
    references = await conn.execute(REFERENCE_IDS, {"id": application_id})
    item["reference_ids"] = references.scalars().all()
    body = {name: item[name] for name in same_sql.FIELDS}
    return OrjsonResponse(body, headers={"ETag": f'"{item["version"]}"'})
