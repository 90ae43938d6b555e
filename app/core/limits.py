"""Refuse request bodies over 1 MiB before any handler reads them."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.asgi import BodyTooLarge, ClientGone, read_body, replay_body
from app.core.errors import problem_response

MAX_BODY_BYTES = 1024 * 1024


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if declared in (None, b"0") and b"transfer-encoding" not in headers:
            # No body at all (every GET): in HTTP/1.1 a request without either header
            # has none, so there is nothing to read and replay.
            await self.app(scope, receive, send)
            return
        # Without a (truthful) Content-Length, read the body here, bounded, then replay it.
        try:
            body = await read_body(receive, self.max_bytes)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)
            return
        except ClientGone:
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, f"The request body is larger than {self.max_bytes // 1024} KiB."
        )
        await response(scope, receive, send)
