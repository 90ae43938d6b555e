"""GET /api/v1/applications, answered before FastAPI's request handling where it can be.

The list is the busiest request there is (every client's home screen, every sync).
Counted by callgrind (README, "Performance"), FastAPI's handling of it (routing
past the other routes, solving five dependencies, validating six query parameters
one at a time, a Request and a Response object) was a quarter of its instructions:
5.06 M through the route, 3.74 M here doing the same work (3.31 M once the page came
gathered by PostgreSQL, listing.py). This middleware, the
innermost one, does the list's work for the requests it can read completely, and
hands every other request to the app untouched.

The route in router.py stays the definition of the endpoint: its schema, its
validation and every error answer. The fast path answers only what the route would
answer with a 200, with the very same bytes (tests/api/test_list_fast_path.py sends
the same requests both ways and compares them), by doing what the route does with
the same functions: `user_for_token`'s check, `listing.list_page`, `listing.page_json`,
`next_link`, `end_session`. Where the app has its own engine on asyncpg (as
`followup serve` runs it on PostgreSQL), it reads on a pooled connection outside
any session instead (`_read_pooled`: a session's check-out and check-in cost more
CPU than either statement), and hands the request to the route when the read would
have to write the token's last_used_at (tests/api/test_list_pooled.py).

It takes a query only in the plain spelling of each parameter, which means the same
to the route's validation (`limit=50`, never `limit=+50`; `active=true`, never
`active=yes`), and passes on anything else, which the route then reads or refuses
as it always has:

- any parameter it doesn't know, given twice (but `status`), or out of range;
- a cursor that doesn't decode; no `Authorization: Bearer` header, or two of them;
- a token that isn't valid (its 401 is the route's to answer).

Passing on costs nothing but the parsing: nothing was sent, the body (a GET's) is
unread, and a refused token changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi.security.utils import get_authorization_scheme_param
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.applications import listing
from app.applications.filters import Q_MAX_LENGTH, ListFilters
from app.auth.deps import note_caller
from app.auth.service import (
    caller_check_runs_pooled,
    caller_id_for_token,
    caller_id_on_pooled,
)
from app.core.db import end_session, request_sessionmaker
from app.core.driver import ConnectionFailed, pooled_connection
from app.core.errors import BadRequest, Unauthorized
from app.core.pagination import (
    CURSOR_MAX_LENGTH,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PageParams,
    decode_cursor,
    next_link,
)
from app.core.types import Timestamp
from app.models.enums import ApplicationStatus

_PLAIN_INTEGER = re.compile(r"[1-9][0-9]{0,2}")
_STATUSES = {status.value: status for status in ApplicationStatus}
_BOOLEANS = {"true": True, "false": False}
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)
_SCALARS = frozenset({"limit", "cursor", "active", "q", "updated_since"})
_JSON = b"application/json"


class Unreadable(Exception):
    """A request the fast path leaves to the route."""


class ListFastPath:
    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not addressed_to(scope, "GET", self.path):
            await self.app(scope, receive, send)
            return
        try:
            page, filters = read_query(scope["query_string"])
            token = bearer_token(scope["headers"])
            await self._answer(scope, send, token, page, filters)
        except Unreadable:
            await self.app(scope, receive, send)

    async def _answer(
        self, scope: Scope, send: Send, token: str, page: PageParams, filters: ListFilters
    ) -> None:
        engine: AsyncEngine | None = getattr(scope["app"].state, "pooled_engine", None)
        if engine is not None and listing.runs_pooled(engine.dialect, page, filters):
            items, next_cursor = await _read_pooled(engine, scope, token, page, filters)
        else:
            items, next_cursor = await _read_in_session(scope, token, page, filters)
        body = listing.page_json(items, next_cursor)
        # What Starlette's Response writes for the route, in its order.
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", _JSON)]
        if next_cursor is not None:
            headers.append((b"link", next_link(Request(scope), next_cursor).encode("latin-1")))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _read_in_session(
    scope: Scope, token: str, page: PageParams, filters: ListFilters
) -> tuple[list[dict[str, Any]], str | None]:
    # As the route's TransactionRoute does: the session ends, committed, before the
    # answer is sent (a token's last_used_at may have been written).
    session = request_sessionmaker(scope["app"], "GET")()
    try:
        try:
            user_id = await caller_id_for_token(session, token)
        except Unauthorized as exc:
            raise Unreadable from exc
        note_caller(scope, user_id)
        page_read = await listing.list_page(session, user_id, page, filters)
    except BaseException:
        await end_session(session, commit=False)
        raise
    await end_session(session, commit=True)
    return page_read


async def _read_pooled(
    engine: AsyncEngine, scope: Scope, token: str, page: PageParams, filters: ListFilters
) -> tuple[list[dict[str, Any]], str | None]:
    """The same two reads on a pooled connection outside any session (PostgreSQL as
    `followup serve` runs it): a session costs more CPU than either statement.

    What this doesn't do goes to the route: a token due its last_used_at write (about
    once a minute per token), and a read whose connection failed (discarded from the
    pool), which the route's session then meets as SQLAlchemy does: a 503 and the
    pool invalidated during an outage, the answer if only that connection was broken.
    """
    async with pooled_connection(engine) as pooled:
        try:
            user_id, unnoted = await caller_id_on_pooled(pooled, engine.dialect, token)
            if unnoted:
                raise Unreadable
            note_caller(scope, user_id)
            return await listing.list_page_pooled(pooled, engine.dialect, user_id, page, filters)
        except (Unauthorized, ConnectionFailed) as exc:
            raise Unreadable from exc


def addressed_to(scope: Scope, method: str, path: str) -> bool:
    """Whether a fast path for `method` `path` may look at this request (not under a
    root_path, which the route's URLs would have to carry)."""
    return (
        scope["type"] == "http"
        and scope["path"] == path
        and scope["method"] == method
        and not scope.get("root_path")
    )


def pooled_engine_for(engine: AsyncEngine) -> AsyncEngine | None:
    """`engine`, if the fast path can read on its pool (asyncpg, and the token's check
    runs there as one SQL string), else None. Decided once, when the app starts."""
    if engine.dialect.driver == "asyncpg" and caller_check_runs_pooled(engine.dialect):
        return engine
    return None


def read_query(query_string: bytes) -> tuple[PageParams, ListFilters]:
    """The page and filters, if every parameter is known and plainly spelled."""
    # Decoded as Starlette decodes it for the route.
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = [name for name, _ in pairs if name in _SCALARS]
    if len(given) != len(set(given)):
        raise Unreadable  # which of two values counts is the route's to say
    limit, cursor = DEFAULT_LIMIT, None
    statuses: list[ApplicationStatus] = []
    active: bool | None = None
    q: str | None = None
    updated_since: datetime | None = None
    for name, value in pairs:
        if name == "status" and value in _STATUSES:
            statuses.append(_STATUSES[value])
        elif name == "limit" and _PLAIN_INTEGER.fullmatch(value) and int(value) <= MAX_LIMIT:
            limit = int(value)
        elif name == "cursor" and len(value) <= CURSOR_MAX_LENGTH and _decodes(value):
            cursor = value
        elif name == "active" and value in _BOOLEANS:
            active = _BOOLEANS[value]
        elif name == "q" and len(value) <= Q_MAX_LENGTH:
            q = value
        elif name == "updated_since":
            try:
                updated_since = _TIMESTAMP.validate_python(value)
            except ValidationError as exc:
                raise Unreadable from exc
        else:
            raise Unreadable
    filters = ListFilters(tuple(statuses), active, q, updated_since)
    return PageParams(limit=limit, cursor=cursor), filters


def _decodes(cursor: str) -> bool:
    try:
        decode_cursor(cursor)
    except BadRequest:
        return False
    return True


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str:
    """The token, read as OAuth2PasswordBearer reads the one Authorization header."""
    values = [value for name, value in headers if name == b"authorization"]
    if len(values) != 1:
        raise Unreadable
    scheme, token = get_authorization_scheme_param(values[0].decode("latin-1"))
    if scheme.lower() != "bearer" or not token:
        raise Unreadable
    return token
