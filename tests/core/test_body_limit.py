"""BodySizeLimitMiddleware reads a body only where there can be one.

The 413s themselves are tests/core/test_protocol.py's (declared and streamed bodies);
here, what the middleware does with the `receive` of a request it lets through.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from app.core.limits import BodySizeLimitMiddleware, body_was_too_large

pytestmark = pytest.mark.anyio


class Inner:
    """The app behind the middleware: keeps the `receive` it got and the body it read."""

    def __init__(self) -> None:
        self.receive: Receive | None = None
        self.body = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.receive = receive
        self.body = (await receive())["body"]


class Client:
    """The server's side: counts how often the body was asked for."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls = 0

    async def receive(self) -> Message:
        self.calls += 1
        return {"type": "http.request", "body": self.body, "more_body": False}

    async def send(self, message: Message) -> None:
        raise AssertionError(f"nothing should be answered here: {message}")


def _scope(method: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": "/", "headers": headers}


@pytest.mark.parametrize("headers", [[], [(b"content-length", b"0")]])
async def test_a_request_without_a_body_goes_on_untouched(
    headers: list[tuple[bytes, bytes]],
) -> None:
    inner, client = Inner(), Client(b"")
    await BodySizeLimitMiddleware(inner)(_scope("GET", headers), client.receive, client.send)
    assert inner.receive == client.receive  # the server's own, nothing read before
    assert client.calls == 1  # by the app


@pytest.mark.parametrize(
    "headers",
    [[(b"content-length", b"7")], [(b"transfer-encoding", b"chunked")]],
)
async def test_a_body_is_read_within_the_limit_then_replayed(
    headers: list[tuple[bytes, bytes]],
) -> None:
    inner, client = Inner(), Client(b'{"a":1}')
    middleware = BodySizeLimitMiddleware(inner, max_bytes=100)
    await middleware(_scope("POST", headers), client.receive, client.send)
    assert inner.receive != client.receive
    assert (inner.body, client.calls) == (b'{"a":1}', 1)


class Chunks:
    """The server's side of a body sent in pieces; a receive past its end would hang."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    async def receive(self) -> Message:
        assert self.chunks, "asked for more body than was sent"
        chunk = self.chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: Message) -> None:
        raise AssertionError(f"the page answers, not the middleware: {message}")


class Told(Inner):
    def __init__(self) -> None:
        super().__init__()
        self.too_large: bool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.too_large = body_was_too_large(scope)
        await super().__call__(scope, receive, send)


@pytest.mark.parametrize(
    ("headers", "chunks"),
    [
        # Declared too large: nothing read yet, all of it still to come.
        ([(b"content-length", b"12")], (b"abcd", b"efgh", b"ijkl")),
        # Streamed: over the limit in the middle, or with its very last piece.
        ([(b"transfer-encoding", b"chunked")], (b"abcd", b"efgh", b"ijkl")),
        ([(b"transfer-encoding", b"chunked")], (b"abcd", b"efghijkl")),
    ],
)
async def test_an_upload_page_hears_of_a_body_over_the_limit(
    headers: list[tuple[bytes, bytes]], chunks: tuple[bytes, ...]
) -> None:
    inner, client = Told(), Chunks(*chunks)
    middleware = BodySizeLimitMiddleware(inner, max_bytes=6, told_paths=frozenset({"/upload"}))
    await middleware({**_scope("POST", headers), "path": "/upload"}, client.receive, client.send)
    assert (inner.too_large, inner.body) == (True, b"")
    assert client.chunks == []  # the rest was read, so the client gets to read the page


async def test_a_body_within_the_limit_is_not_called_too_large() -> None:
    inner, client = Told(), Chunks(b"abc")
    middleware = BodySizeLimitMiddleware(inner, max_bytes=6, told_paths=frozenset({"/upload"}))
    scope = {**_scope("POST", [(b"content-length", b"3")]), "path": "/upload"}
    await middleware(scope, client.receive, client.send)
    assert (inner.too_large, inner.body) == (False, b"abc")


class Answered(Chunks):
    """Like Chunks, but the middleware is expected to answer: what it sent is kept."""

    def __init__(self, *chunks: bytes) -> None:
        super().__init__(*chunks)
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    def status_and_headers(self) -> tuple[int, dict[bytes, bytes]]:
        start = self.sent[0]
        return start["status"], dict(start["headers"])


@pytest.mark.parametrize(
    ("method", "headers", "chunks"),
    [
        # More announced than is ever drained: answered at once, nothing read.
        ("POST", [(b"content-length", b"97")], (b"abcd",)),
        # Streamed past what is drained: answered, and the connection closed.
        ("POST", [(b"transfer-encoding", b"chunked")], (b"abcd", b"efgh", b"e" * 97, b"more")),
        # Only a form post is handed on: the path takes nothing else.
        ("PUT", [(b"content-length", b"12")], (b"abcd",)),
    ],
)
async def test_an_upload_page_is_not_drained_without_end(
    method: str, headers: list[tuple[bytes, bytes]], chunks: tuple[bytes, ...]
) -> None:
    inner, client = Told(), Answered(*chunks)
    middleware = BodySizeLimitMiddleware(inner, max_bytes=6, told_paths=frozenset({"/upload"}))
    assert middleware.drain_bytes == 96
    await middleware({**_scope(method, headers), "path": "/upload"}, client.receive, client.send)
    assert inner.too_large is None, "the page was not called"
    status, sent_headers = client.status_and_headers()
    assert status == 413
    assert sent_headers[b"content-type"] == b"application/problem+json"
    assert (sent_headers.get(b"connection") == b"close") is (method == "POST")
    assert len(client.chunks) == 1, "the last piece is never asked for"
