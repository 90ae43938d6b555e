"""Cross-cutting HTTP behaviour: problem+json everywhere, limits, idempotency, health."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import Application
from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
URL = "/api/v1/applications"


async def test_unknown_path_is_a_problem_404(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    assert_problem(await client.get("/api/v1/nothing-here", headers=alice.headers), 404)


async def test_wrong_method_is_a_problem_405(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    assert_problem(await client.put(URL, json={}, headers=alice.headers), 405)


@pytest.mark.parametrize("raw_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
async def test_missing_or_malformed_id_is_404(
    client: httpx.AsyncClient, alice: UserWithToken, raw_id: str
) -> None:
    assert_problem(await client.get(f"{URL}/{raw_id}", headers=alice.headers), 404)


async def test_body_over_one_mebibyte_is_413_and_changes_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    before = await snapshot(session)
    big = {"company": "A", "role_title": "B", "notes": "x" * (1024 * 1024)}
    assert_problem(await client.post(URL, json=big, headers=alice.headers), 413)

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(17):
            yield b" " * 65536

    streamed = await client.post(
        URL, content=chunks(), headers={**alice.headers, "content-type": "application/json"}
    )
    assert_problem(streamed, 413)
    assert await snapshot(session) == before


async def test_malformed_json_is_422(client: httpx.AsyncClient, alice: UserWithToken) -> None:
    r = await client.post(
        URL, content=b"{not json", headers={**alice.headers, "content-type": "application/json"}
    )
    assert_problem(r, 422)


async def test_unhandled_error_is_a_500_problem_without_internals(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app: FastAPI = create_app(settings, sessionmaker)

    async def explode() -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    app.add_api_route("/boom", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.get("/boom")
    body = assert_problem(r, 500)
    assert "hunter2" not in r.text
    assert "Traceback" not in r.text
    assert "RuntimeError" not in body["detail"]


async def test_idempotency_key_replays_the_first_response(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    headers = {**alice.headers, "Idempotency-Key": "create-acme-1"}
    payload = {"company": "Acme", "role_title": "Engineer"}
    first = await client.post(URL, json=payload, headers=headers)
    second = await client.post(URL, json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert await session.scalar(select(func.count()).select_from(Application)) == 1

    different = await client.post(URL, json={**payload, "company": "Other"}, headers=headers)
    assert_problem(different, 422)
    assert await session.scalar(select(func.count()).select_from(Application)) == 1


async def test_idempotency_keys_are_scoped_to_the_user(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    payload = {"company": "Acme", "role_title": "Engineer"}
    a = await client.post(URL, json=payload, headers={**alice.headers, "Idempotency-Key": "k"})
    b = await client.post(URL, json=payload, headers={**bob.headers, "Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert "idempotent-replayed" not in b.headers


async def test_idempotency_replays_errors_too_but_not_server_errors(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    headers = {**alice.headers, "Idempotency-Key": "bad-1"}
    first = await client.post(URL, json={"company": "A"}, headers=headers)
    assert first.status_code == 422
    again = await client.post(URL, json={"company": "A"}, headers=headers)
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"


async def test_over_long_idempotency_key_is_400(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    r = await client.post(
        URL,
        json={"company": "A", "role_title": "B"},
        headers={**alice.headers, "Idempotency-Key": "k" * 300},
    )
    assert_problem(r, 400)


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}


async def test_readiness_fails_without_a_database(tmp_path: object) -> None:
    from app.core.db import create_engine, create_sessionmaker

    engine = create_engine("postgresql://nobody@127.0.0.1:1/none")
    app = create_app(Settings(env="test"), create_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert_problem(await c.get("/readyz"), 503)
        assert (await c.get("/healthz")).status_code == 200
    await engine.dispose()
