"""A key whose request died before its answer was recorded (the database went away
mid-request) is not stuck for 24 h: after two minutes, a retry takes it over. And an
answer already made still reaches the client when its record can't be written."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import idempotency
from app.core.config import Settings
from app.core.idempotency import ABANDONED_AFTER, _fingerprint
from app.main import create_app
from app.models import Application, IdempotencyRecord
from app.models.base import utcnow
from tests.factories import UserWithToken

pytestmark = pytest.mark.anyio

URL = "/api/v1/applications"
BODY = {"company": "Acme", "role_title": "Engineer"}


async def _stuck_claim(session: AsyncSession, who: UserWithToken, age_seconds: float) -> None:
    """What a request leaves when it claimed its key and then lost the database."""
    content = json.dumps(BODY).encode()
    scope = {"method": "POST", "path": URL, "query_string": b""}
    session.add(
        IdempotencyRecord(
            user_id=who.user.id,
            key="k1",
            request_fingerprint=_fingerprint(scope, content),
            created_at=utcnow() - timedelta(seconds=age_seconds),
        )
    )
    await session.commit()


async def _retry(client: httpx.AsyncClient, who: UserWithToken) -> httpx.Response:
    return await client.post(
        URL,
        content=json.dumps(BODY),
        headers={**who.headers, "Idempotency-Key": "k1", "Content-Type": "application/json"},
    )


async def test_a_fresh_claim_is_still_in_progress(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    await _stuck_claim(session, alice, age_seconds=5)
    assert (await _retry(client, alice)).status_code == 409
    assert await session.scalar(select(func.count()).select_from(Application)) == 0


async def test_an_abandoned_claim_is_taken_over_once(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    await _stuck_claim(session, alice, age_seconds=ABANDONED_AFTER.total_seconds() + 5)
    first = await _retry(client, alice)
    assert first.status_code == 201, first.text
    again = await _retry(client, alice)  # and from then on it replays as usual
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await session.scalar(select(func.count()).select_from(Application)) == 1


async def test_an_answer_already_made_is_kept_when_its_record_cannot_be_written(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    alice: UserWithToken,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The database went away between the answer and its record: the server must not
    # raise then (uvicorn would drop the connection, and the 201 with it).
    calls: list[int] = []

    async def database_gone(*_: object) -> None:
        calls.append(1)
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(idempotency, "_finish", database_gone)
    transport = httpx.ASGITransport(app=create_app(settings, sessionmaker))  # raises app errors
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await _retry(client, alice)
    assert calls == [1], "the record was never attempted: the test proved nothing"
    assert r.status_code == 201
    assert r.json()["company"] == "Acme"
