"""SQL statements per request, for the benchmark (`FOLLOWUP_COUNT_SQL=true`).

When the setting is off nothing here is installed, so it costs nothing. When on,
every statement sent through the engine is counted against the request that sent
it, and the response carries the count in `X-SQL-Statements`. The counter lives in
a context variable: SQLAlchemy runs the driver calls in a greenlet that shares the
request task's context, so concurrent requests never mix their counts.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.asgi import sending_header

HEADER = b"x-sql-statements"
_statements: ContextVar[list[int] | None] = ContextVar("sql_statements", default=None)


def _count(*_: Any) -> None:
    box = _statements.get()
    if box is not None:
        box[0] += 1


def count_statements_of(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", _count)


class StatementCountMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        box = [0]
        token = _statements.set(box)
        try:
            await self.app(scope, receive, sending_header(send, HEADER, lambda: b"%d" % box[0]))
        finally:
            _statements.reset(token)
