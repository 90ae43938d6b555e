"""Small ASGI helpers for middleware that needs the whole request body first."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Message, Receive, Send


class BodyTooLarge(Exception):
    def __init__(self, more_body: bool) -> None:
        super().__init__("body too large")
        self.more_body = more_body  # whether part of the body is still to be received


class ClientGone(Exception):
    pass


async def read_body(receive: Receive, max_bytes: int | None = None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise BodyTooLarge(message.get("more_body", False))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def discard_body(receive: Receive, max_bytes: int) -> None:
    """Read what is left of the request body, keeping none of it; BodyTooLarge past
    `max_bytes`."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
        if size > max_bytes:
            raise BodyTooLarge(more)
        if not more:
            return


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the app, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def sending_header(send: Send, name: bytes, value: Callable[[], bytes]) -> Send:
    """A `send` that sets header `name` on the response (replacing any), to `value()`
    as it is when the response starts."""

    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != name]
            message = {**message, "headers": [*headers, (name, value())]}
        await send(message)

    return send_with_header
