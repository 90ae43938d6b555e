"""Limits on request bodies: over 1 MiB is refused before any handler reads it, and a
body that stops arriving is given up on."""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import BodyTooLarge, ClientGone, discard_body, read_body, replay_body
from app.core.errors import problem_response

MAX_BODY_BYTES = 1024 * 1024
_TOO_LARGE = "body_too_large"
# How much of a too-large upload is read (and dropped) so its page can still be shown.
DRAIN_FACTOR = 16


def body_was_too_large(scope: Scope) -> bool:
    """True when a page's form was handed on without its body, which was over the limit."""
    return bool(scope.get("state", {}).get(_TOO_LARGE))


class BodySizeLimitMiddleware:
    """Refuses a body over `max_bytes` with a 413 problem document, except on the
    `told_paths`: pages whose form says so inline. A POST there goes on with an empty
    body and `body_was_too_large` true, if its body ends within `DRAIN_FACTOR` times
    the limit."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        told_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.told_paths = told_paths
        self.drain_bytes = DRAIN_FACTOR * max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        size = int(declared) if declared is not None and declared.isdigit() else None
        if size is not None and size > self.max_bytes:
            await self._refuse(scope, receive, send, more_body=True, declared=size)
            return
        if declared in (None, b"0") and b"transfer-encoding" not in headers:
            # No body at all (every GET): in HTTP/1.1 a request without either header
            # has none, so there is nothing to read and replay.
            await self.app(scope, receive, send)
            return
        # Without a (truthful) Content-Length, read the body here, bounded, then replay it.
        try:
            body = await read_body(receive, self.max_bytes)
        except BodyTooLarge as exc:
            await self._refuse(scope, receive, send, more_body=exc.more_body, declared=None)
            return
        except ClientGone:
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, *, more_body: bool, declared: int | None
    ) -> None:
        if scope["path"] in self.told_paths and scope["method"] == "POST":
            await self._tell(scope, receive, send, more_body=more_body, declared=declared)
            return
        await self._answer_413(scope, receive, send)

    async def _answer_413(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str] | None = None
    ) -> None:
        response = problem_response(
            413, f"The request body is larger than {self.max_bytes // 1024} KiB.", headers=headers
        )
        await response(scope, receive, send)

    async def _tell(
        self, scope: Scope, receive: Receive, send: Send, *, more_body: bool, declared: int | None
    ) -> None:
        # The rest of the body is read and dropped, or a browser still sending it would
        # show a reset connection instead of the page. Only so much, though: past
        # `drain_bytes` (or when more is announced) the answer is the plain 413, and
        # the connection is closed rather than read on for as long as a client sends.
        if more_body:
            if declared is not None and declared > self.drain_bytes:
                await self._answer_413(scope, receive, send, {"Connection": "close"})
                return
            try:
                await discard_body(receive, self.drain_bytes)
            except BodyTooLarge:
                await self._answer_413(scope, receive, send, {"Connection": "close"})
                return
            except ClientGone:
                return
        scope.setdefault("state", {})[_TOO_LARGE] = True
        await self.app(scope, replay_body(b"", receive), send)


class BodyTimedOut(Exception):
    pass


class BodyTimeoutMiddleware:
    """Answer 408 and close when the next piece of a request body takes longer than
    `seconds` to arrive. Without it a client that announces a body and sends nothing
    holds its connection (and the task reading it) for as long as it likes.

    Only waits for the body are timed: once it has all arrived, `receive` only tells of
    a disconnect, which a streamed response legitimately waits for as long as it runs.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        answered = False

        async def receive_in_time() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            with anyio.move_on_after(self.seconds) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise BodyTimedOut
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def send_noting(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, receive_in_time, send_noting)
        except BodyTimedOut:
            if answered:
                return  # too late for a status: the server closes the unfinished response
            response = problem_response(
                408,
                f"The request body stopped arriving: nothing came for {self.seconds:g} s.",
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
