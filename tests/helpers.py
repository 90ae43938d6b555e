"""Assertions shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.encryption import Keyring, current_keyring, install_keyring

PROBLEM = "application/problem+json"


def assert_problem(
    response: httpx.Response, status: int, *, loc: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and, if given, an error at loc)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    if loc is not None:
        locs = [".".join(str(p) for p in e["loc"]) for e in body.get("errors", [])]
        assert any(loc in item for item in locs), (loc, locs)
    return body


async def record_token_usage(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> int:
    """Run the app's recording of token usage now, as its background task would."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    app: Any = transport.app
    recorded: int = await app.state.token_usage.record(sessionmaker)
    return recorded


@contextmanager
def using_keys(*keys: str) -> Iterator[Keyring]:
    """The process encrypts and decrypts with these keys (newest first) until the block ends."""
    previous = current_keyring()
    keyring = Keyring(keys)
    install_keyring(keyring)
    try:
        yield keyring
    finally:
        install_keyring(previous)
