"""Sign-in does not tell which emails have accounts: not by its answer, not by its time."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from tests.factories import UserWithToken

pytestmark = pytest.mark.anyio


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    known = await client.post(
        "/api/v1/auth/token", data={"username": alice.user.email, "password": "wrong password"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.com", "password": "wrong password"}
    )
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert known.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def _median_seconds(session: AsyncSession, email: str) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        assert await service.authenticate(session, email, "wrong password") is None
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def test_an_unknown_email_costs_a_password_hash_too(
    session: AsyncSession, alice: UserWithToken
) -> None:
    # Without the dummy verification an unknown email answers in about a millisecond,
    # against tens for a real Argon2 check: a timing oracle for registered emails.
    known = await _median_seconds(session, alice.user.email)
    unknown = await _median_seconds(session, "nobody@example.com")
    assert unknown > known * 0.5, (unknown, known)
