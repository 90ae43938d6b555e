"""`Idempotency-Key`: the claim, the change and the stored answer in one transaction."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.models import Application, IdempotencyRecord
from app.models.base import utcnow
from tests.databases import BACKENDS
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio

BODY = {"company": "Acme", "role_title": "Engineer"}


def _headers(owner: UserWithToken, key: str) -> dict[str, str]:
    return {**owner.headers, "Idempotency-Key": key}


async def _applications(session: AsyncSession, owner: UserWithToken) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Application).where(Application.owner_id == owner.user.id)
    )
    assert count is not None
    return count


async def test_a_retry_the_moment_the_answer_arrives_is_a_replay(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    first = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k1"))
    assert first.status_code == 201
    for _ in range(20):
        again = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k1"))
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["etag"] == first.headers["etag"]
    assert await _applications(session, alice) == 1


async def test_the_answer_is_stored_with_the_change(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    r = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k2"))
    assert r.status_code == 201
    record = await session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "k2"))
    assert record is not None
    assert record.status_code == 201
    assert record.response_body == r.content


async def test_a_server_error_stores_nothing_and_the_retry_makes_the_change_once(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.applications import service

    real = service.emit
    calls = 0

    async def failing_once(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the process died here")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "emit", failing_once)
    failed = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k3"))
    assert failed.status_code == 500
    assert await _applications(session, alice) == 0  # the insert rolled back with the claim
    retried = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k3"))
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert await _applications(session, alice) == 1


async def test_a_key_past_its_window_is_free_again(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    first = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k4"))
    assert first.status_code == 201
    await session.execute(
        update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25))
    )
    second = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k4"))
    assert second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]


# PostgreSQL only: SQLite runs write transactions one at a time, so there a retry waits
# for the first request to end and then gets its answer.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_a_key_held_by_a_running_request_is_409(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, engine: AsyncEngine
) -> None:
    lock = text("SELECT pg_advisory_lock(hashtextextended(:name, 0))")
    unlock = text("SELECT pg_advisory_unlock(hashtextextended(:name, 0))")
    name = f"{alice.user.id}:k5"
    async with engine.connect() as other:  # as the first request's transaction holds it
        await other.execute(lock, {"name": name})
        try:
            r = await client.post("/api/v1/applications", json=BODY, headers=_headers(alice, "k5"))
        finally:
            await other.execute(unlock, {"name": name})
    body = assert_problem(r, 409)
    assert body["type"].endswith("in-progress")
    assert await _applications(session, alice) == 0


@pytest.mark.parametrize(
    ("path", "body", "secret"),
    [
        ("/api/v1/tokens", {"name": "ci"}, "token"),
        ("/api/v1/integrations", {"name": "Greenhouse"}, "secret"),
        ("/api/v1/webhooks", {"url": "https://93.184.216.34/hook", "events": ["*"]}, "secret"),
        ("/api/v1/calendar/feed", None, "url"),
    ],
)
async def test_a_replay_of_a_secret_issuing_post_leaves_the_secret_out(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    path: str,
    body: dict[str, str] | None,
    secret: str,
) -> None:
    first = await client.post(path, json=body, headers=_headers(alice, f"s-{secret}"))
    assert first.status_code == 201, first.text
    issued = first.json()[secret]
    assert issued
    again = await client.post(path, json=body, headers=_headers(alice, f"s-{secret}"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    replayed = again.json()
    assert replayed[secret] is None
    assert {k: v for k, v in replayed.items() if k != secret} == {
        k: v for k, v in first.json().items() if k != secret
    }
    # Nor is it kept anywhere in the stored answer, headers included.
    record = await session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.key == f"s-{secret}")
    )
    assert record is not None
    stored = (record.response_body or b"").decode() + (record.response_headers or "")
    assert issued not in stored
    assert issued.rsplit("/", 1)[-1].removesuffix(".ics") not in stored
