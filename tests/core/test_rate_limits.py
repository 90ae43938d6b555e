"""Per-address limits on sign-up and sign-in; on /inbound, per-integration limits on
correctly signed requests and per-address limits on the others: over the limit is 429
problem+json with Retry-After, and nothing is done."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import InboundMessage, User
from app.webhooks.signing import new_secret, signature_headers
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


@pytest.fixture
def strict_app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    strict = settings.model_copy(
        update={
            "rate_limit_auth": "3/minute",
            "rate_limit_inbound": "2/minute",
            "rate_limit_inbound_failures": "3/minute",
        }
    )
    return create_app(strict, sessionmaker)


@pytest.fixture
async def strict_client(strict_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=strict_app, raise_app_exceptions=False)
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


def _client_for(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def integration(strict_app: FastAPI, alice: UserWithToken) -> tuple[str, str]:
    """(inbound URL, secret) of an integration of Alice's."""
    async with _client_for(strict_app, "10.9.9.9") as c:
        r = await c.post("/api/v1/integrations", json={"name": "ats"}, headers=alice.headers)
    return r.json()["inbound_url"], r.json()["secret"]


def _event(secret: str, *, forged: bool = False) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "type": "application.upserted",
            "timestamp": "2026-11-26T10:00:00Z",
            "data": {"application": {"external_id": "a1", "company": "Acme", "role_title": "Dev"}},
        }
    ).encode()
    headers = signature_headers(
        new_secret() if forged else secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body
    )
    return body, {**headers, "content-type": "application/json"}


async def _post(app: FastAPI, url: str, event: tuple[bytes, dict[str, str]], address: str) -> int:
    body, headers = event
    async with _client_for(app, address) as c:
        return (await c.post(url, content=body, headers=headers)).status_code


async def test_forged_requests_are_limited_per_address(
    strict_app: FastAPI, integration: tuple[str, str]
) -> None:
    url, secret = integration
    for _ in range(3):  # rate_limit_inbound_failures is 3/minute
        assert await _post(strict_app, url, _event(secret, forged=True), "6.6.6.6") == 401
    body, headers = _event(secret, forged=True)
    async with _client_for(strict_app, "6.6.6.6") as c:
        r = await c.post(url, content=body, headers=headers)
    assert_problem(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # Another address has its own allowance, and an unknown integration counts the same.
    assert await _post(strict_app, url, _event(secret, forged=True), "7.7.7.7") == 401
    assert await _post(strict_app, f"{url[:-36]}{uuid.uuid4()}", _event(secret), "6.6.6.6") == 429


async def test_forged_requests_never_lock_the_real_sender_out(
    strict_app: FastAPI, integration: tuple[str, str], session: AsyncSession
) -> None:
    url, secret = integration
    for n in range(20):  # many more than either limit, from several addresses
        await _post(strict_app, url, _event(secret, forged=True), f"6.6.6.{n % 4}")
    # Correctly signed: accepted, even from an address that is over its failures' limit.
    assert await _post(strict_app, url, _event(secret), "6.6.6.0") == 202
    assert await _post(strict_app, url, _event(secret), "10.1.1.1") == 202
    assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 2


async def test_only_correctly_signed_requests_count_against_the_integration(
    strict_app: FastAPI, integration: tuple[str, str]
) -> None:
    url, secret = integration
    assert await _post(strict_app, url, _event(secret, forged=True), "6.6.6.6") == 401
    for address in ("10.1.1.1", "10.2.2.2"):  # rate_limit_inbound is 2/minute
        assert await _post(strict_app, url, _event(secret), address) == 202
    assert await _post(strict_app, url, _event(secret), "10.3.3.3") == 429


async def test_650_forgeries_at_the_default_limits_leave_the_real_event_accepted(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    alice: UserWithToken,
) -> None:
    app = create_app(settings, sessionmaker)
    async with _client_for(app, "10.9.9.9") as c:
        r = await c.post("/api/v1/integrations", json={"name": "ats"}, headers=alice.headers)
        url, secret = r.json()["inbound_url"], r.json()["secret"]
        statuses = set()
        for _ in range(650):
            body, headers = _event(secret, forged=True)
            statuses.add((await c.post(url, content=body, headers=headers)).status_code)
        assert statuses == {401, 429}
        body, headers = _event(secret)
        assert (await c.post(url, content=body, headers=headers)).status_code == 202


def test_a_malformed_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="rate_limit_auth"):
        Settings(rate_limit_auth="lots")
