"""Per-address limits on sign-up and sign-in, per-integration limits on /inbound:
over the limit is 429 problem+json with Retry-After, and nothing is done."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import User
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


@pytest.fixture
async def strict_client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    strict = settings.model_copy(
        update={"rate_limit_auth": "3/minute", "rate_limit_inbound": "2/minute"}
    )
    transport = httpx.ASGITransport(
        app=create_app(strict, sessionmaker), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _signup(n: int) -> dict[str, str]:
    return {"email": f"person{n}@example.com", "password": "a long password", "name": "P"}


async def _users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_registrations_beyond_the_limit_are_429_and_create_nothing(
    strict_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for n in range(3):
        assert (
            await strict_client.post("/api/v1/auth/register", json=_signup(n))
        ).status_code == 201
    before = await _users(session)
    response = await strict_client.post("/api/v1/auth/register", json=_signup(99))
    assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert await _users(session) == before


async def test_sign_ins_share_the_limit_across_accounts(strict_client: httpx.AsyncClient) -> None:
    # Spraying many accounts from one address: each account is below its own throttle.
    for n in range(3):
        form = {"username": f"nobody{n}@example.com", "password": "wrong password"}
        assert (await strict_client.post("/api/v1/auth/token", data=form)).status_code == 401
    form = {"username": "nobody9@example.com", "password": "wrong password"}
    assert_problem(await strict_client.post("/api/v1/auth/token", data=form), 429)


async def test_the_web_login_form_counts_too(strict_client: httpx.AsyncClient) -> None:
    for _ in range(3):
        r = await strict_client.post("/login", data={"email": "a@example.com", "password": "x"})
        assert r.status_code != 429, "limited before the limit"
    response = await strict_client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 429
    assert "retry-after" in response.headers


async def test_inbound_is_limited_per_integration(strict_client: httpx.AsyncClient) -> None:
    flooded, other = str(uuid.uuid4()), str(uuid.uuid4())
    for _ in range(2):  # unsigned: 401, but they count
        assert (await strict_client.post(f"/api/v1/inbound/{flooded}", json={})).status_code == 401
    assert_problem(await strict_client.post(f"/api/v1/inbound/{flooded}", json={}), 429)
    # Another integration has its own allowance.
    assert (await strict_client.post(f"/api/v1/inbound/{other}", json={})).status_code == 401


def test_a_malformed_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="rate_limit_auth"):
        Settings(rate_limit_auth="lots")
