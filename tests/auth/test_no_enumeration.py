"""Sign-in does not tell which emails have accounts: not by its answer, not by its time."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.core import security
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


async def test_an_unknown_email_costs_a_password_hash_too(
    session: AsyncSession, alice: UserWithToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the dummy verification an unknown email answers in about a millisecond,
    # against tens for a real Argon2 check: a timing oracle for registered emails. The
    # check itself is what the test looks for (timing it would be a benchmark).
    real = security._password_hash
    verified: list[str] = []

    def spy(password: str, password_hash: str) -> bool:
        verified.append(password_hash)
        return real.verify(password, password_hash)

    monkeypatch.setattr(security, "_password_hash", SimpleNamespace(verify=spy))
    assert await service.authenticate(session, "nobody@example.com", "wrong password") is None
    assert verified == [security._dummy_hash()]
    assert await service.authenticate(session, alice.user.email, "wrong password") is None
    assert verified[1:] == [alice.user.password_hash]
