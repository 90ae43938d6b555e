"""503 problem+json, not a 500 and a traceback, while the database can't be reached.

A PostgreSQL restart, failover or network blip surfaces in many shapes: asyncpg's own
errors, SQLAlchemy's wrapped disconnects, or a bare OSError from the socket. A client
can do something useful with "try again shortly" (503 with Retry-After). Usually the
request's transaction never committed; if the connection was lost during COMMIT itself,
it may have, which the client can't tell. A retry with the same Idempotency-Key is
safe either way: the stored answer committed with the change, or neither did
(app/core/idempotency.py). The first disconnect SQLAlchemy sees invalidates the engine's
whole pool, so the service recovers by itself once the database is back.
"""

from __future__ import annotations

import logging
import socket

from asyncpg import exceptions as pg
from sqlalchemy import exc as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response

logger = logging.getLogger("followup.errors")

RETRY_AFTER_SECONDS = 5

# Class 08 (connection exception) and 57 (operator intervention: shutting down, starting
# up, restarting) are outages, and so is 53300 (the server's connection slots are all
# taken); everything else asyncpg raises is about the query.
# SQLAlchemy's TimeoutError: no pooled connection came free in time.
_OUTAGES = (
    pg.PostgresConnectionError,
    pg.OperatorInterventionError,
    pg.TooManyConnectionsError,
    sa.TimeoutError,
)


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, _OUTAGES):
        return True
    if isinstance(exc, pg.InterfaceError) and "connection" in str(exc) and "closed" in str(exc):
        return True
    # Socket errors from connecting: refused, reset, unreachable, DNS, timeouts, and
    # asyncio's plain OSError("Multiple exceptions: ...") when every address failed.
    # Not OSError's file subclasses (FileNotFoundError...): those are bugs, not outages.
    return isinstance(exc, ConnectionError | TimeoutError | socket.gaierror) or (
        type(exc) is OSError
    )


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc`, or what caused it, says the database can't be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage(current):
            return True
        current = current.__cause__ or current.__context__
    return False


class DatabaseUnavailableMiddleware:
    """Answers 503 problem+json with Retry-After when a request failed for want of the
    database; any other error goes on to the usual 500 handling."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started or not is_database_unavailable(exc):
                raise
            # One line, no traceback: an outage is an operational event, not a bug.
            logger.warning(
                "database unavailable on %s %s: %s: %s",
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                exc,
            )
            response = problem_response(
                503,
                # Not "nothing was changed": a connection lost during COMMIT may have
                # committed all the same.
                "The database is unavailable for a moment. Please try again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                slug="unavailable",
            )
            await response(scope, receive, send)
