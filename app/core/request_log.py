"""One JSON log line per request, and an `X-Request-ID` that follows the request.

A pure ASGI middleware (no BaseHTTPMiddleware: it would buffer streamed bodies and
run the app in another task). The request id is taken from the client when it is
sane, so a proxy or a caller can correlate its own logs with ours, or generated
otherwise; it is echoed on every response, error responses included.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.caller import caller_of
from app.core.asgi import sending_header

logger = logging.getLogger("followup.request")

REQUEST_ID_HEADER = b"x-request-id"
CLIENT_CLOSED_REQUEST = 499
# Anything else (spaces, quotes, control characters, very long values) could forge or
# break log lines, so such a value is replaced rather than trusted.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")
# Paths that carry a secret (the calendar feed URL is its own credential): never log it.
_SECRET_PATH_PREFIX = "/calendar/feed/"
_SECRET_IN_PATH = re.compile(rf"({_SECRET_PATH_PREFIX})[^/]+")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def loggable_path(path: str) -> str:
    if _SECRET_PATH_PREFIX not in path:  # nearly every request: skip the substitution
        return path
    return _SECRET_IN_PATH.sub(r"\1<redacted>", path)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope.get("headers", []))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        response_started = False

        id_value = request_id.encode("latin-1")
        send_tagged = sending_header(send, REQUEST_ID_HEADER, lambda: id_value)

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
            await send_tagged(message)

        try:
            await self.app(scope, receive, send_with_id)
            if not response_started:
                # Only a client that left before its answer (mid-body, say) ends a request
                # without one: nginx's 499, "client closed request", not the server's 500.
                status = CLIENT_CLOSED_REQUEST
        except Exception as exc:
            if not response_started:
                # Starlette's outermost error middleware would answer the 500 itself, past
                # this one, so without this the response would lose its X-Request-ID.
                await self._answer_unhandled(scope, receive, send_with_id, exc)
            raise  # as Starlette does: the server still logs it, test clients may raise it
        finally:
            self._log(scope, status, started, request_id)

    async def _answer_unhandled(
        self, scope: Scope, receive: Receive, send: Send, exc: Exception
    ) -> None:
        handler = scope["app"].exception_handlers.get(Exception) if "app" in scope else None
        if handler is None:
            return
        response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)

    def _log(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        line: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": scope["method"],
            "path": loggable_path(scope["path"]),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": request_id,
        }
        caller = caller_of(scope)
        if caller is not None:
            line["user_id"] = str(caller.user_id)
        # The line is the message itself, never %-formatted: a path may hold a `%`.
        logger.info("%s", orjson.dumps(line).decode(), extra={"request": line})


class _JsonLines(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record's message (already a JSON object) as it is, one per line."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def configure_request_logging() -> None:
    """Send request lines to stdout, as bare JSON, once (for `followup serve`)."""
    if any(isinstance(h, _JsonLines) for h in logger.handlers):
        return
    logger.addHandler(_JsonLines(sys.stdout))
    logger.setLevel(logging.INFO)
    logger.propagate = False
