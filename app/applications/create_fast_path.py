"""POST /api/v1/applications, answered before FastAPI's request handling where it can be.

The create is the write with a throughput target (README, "Performance"). As
`followup serve` runs it on PostgreSQL, the route's work is two statements: the
token's check, and for an owner without webhook subscriptions one INSERT that
commits as it runs (`service.create_application`, `alone`). Around them came
FastAPI's handling (routing past the other routes, five dependencies, a session, a
Request, the body's and the answer's models) and the session's check-out and
check-in, together more CPU than the statements' round trips. This middleware, next
to the list's (list_fast_path.py, whose reasoning it follows), runs the same two
statements on a pooled connection outside any session and answers what the route
would answer with a 201: the very same bytes and headers
(tests/api/test_create_fast_path.py sends the same requests both ways and compares).

Everything else goes to the route, with the body replayed (app/core/asgi.py):

- an app with no pooled engine (SQLite, the tests' sessions), or a root_path;
- a Content-Type other than exactly `application/json`; no `Authorization: Bearer`
  header, or two of them;
- a body that isn't JSON, doesn't validate as `ApplicationCreate`, or gives references
  (linked in the route's transaction);
- a token that isn't valid or is due its last_used_at write, or whose check failed
  for its connection;
- an owner with a webhook subscription (the row and its event are written together;
  the route is told, see `owner_subscribed`), or an INSERT the server refused (a
  taken external_id: the 409 is the route's). Nothing was written in either case.

Once the INSERT has been sent, nothing is handed on: if its connection fails, whether
it committed can't be known, so the error goes up to the 503 middleware, as the
route's own would (app/core/driver.py, `DriverWrite`).
"""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.applications import service
from app.applications.list_fast_path import Unreadable, addressed_to, bearer_token
from app.applications.schemas import ApplicationCreate
from app.auth.deps import note_caller
from app.auth.service import caller_id_on_pooled
from app.core.asgi import ClientGone, read_body, replay_body
from app.core.concurrency import etag
from app.core.driver import ConnectionFailed, StatementRefused, pooled_connection
from app.core.errors import Unauthorized
from app.core.urls import url_for

_JSON = b"application/json"
# In the request's state: handed on because the owner has a webhook subscription.
_SUBSCRIBED = "create_owner_subscribed"


def owner_subscribed(scope: Scope) -> bool:
    """Whether the fast path found that the caller has a webhook subscription, so
    that the route's create needn't try the one-statement INSERT again."""
    return bool(scope.get("state", {}).get(_SUBSCRIBED))


class CreateFastPath:
    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        engine: AsyncEngine | None = None
        if addressed_to(scope, "POST", self.path):
            engine = getattr(scope["app"].state, "pooled_engine", None)
        if engine is None or not service.create_runs_pooled(engine.dialect):
            await self.app(scope, receive, send)
            return
        body: bytes | None = None
        try:
            token = bearer_token(scope["headers"])
            if not _sends_json(scope["headers"]):
                raise Unreadable
            body = await read_body(receive)
            data = parse_create(body)
            if data.reference_ids:
                raise Unreadable
            await _answer(engine, scope, send, token, data)
        except ClientGone:
            return  # nobody to answer, as the size limit does; nothing was written
        except Unreadable:
            await self.app(scope, receive if body is None else replay_body(body, receive), send)


async def _answer(
    engine: AsyncEngine, scope: Scope, send: Send, token: str, data: ApplicationCreate
) -> None:
    async with pooled_connection(engine) as pooled:
        try:
            user_id, unnoted = await caller_id_on_pooled(pooled, engine.dialect, token)
        except (Unauthorized, ConnectionFailed) as exc:
            raise Unreadable from exc
        if unnoted:
            raise Unreadable  # the route's session writes it
        note_caller(scope, user_id)
        try:
            created = await service.create_alone_pooled(pooled, engine.dialect, user_id, data)
        except StatementRefused as exc:
            raise Unreadable from exc  # a taken external_id, say: the route's 409
    if created is None:
        scope.setdefault("state", {})[_SUBSCRIBED] = True
        raise Unreadable
    body = created.model_dump_json().encode()
    location = url_for(Request(scope), "get_application", application_id=str(created.id))
    # What FastAPI writes for the route, in its order: its Response's headers, then
    # those the endpoint set.
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", _JSON),
        (b"location", location.encode("latin-1")),
        (b"etag", etag(created.version).encode()),
    ]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def parse_create(body: bytes) -> ApplicationCreate:
    """The body as the route reads it (`json.loads`, then the model), if it is valid."""
    try:
        return ApplicationCreate.model_validate(json.loads(body))
    except (ValueError, RecursionError) as exc:  # pydantic's ValidationError is a ValueError
        raise Unreadable from exc


def _sends_json(headers: list[tuple[bytes, bytes]]) -> bool:
    values = [value for name, value in headers if name == b"content-type"]
    return values == [_JSON]
