"""POST /api/v1/applications as `followup serve` runs it: its one write, alone.

On the tests' usual sessions (a rolled-back transaction) every statement runs inside
that transaction. Here the app has its own engine on a database of its own, as in
production, so what the create commits, and when, is what a client would see. For an
owner without webhook subscriptions the row is one INSERT that checks there is still
none; on PostgreSQL it commits as it runs, with no BEGIN and COMMIT around it. Where
the request has already begun its transaction (a token due its last_used_at), or the
owner has a subscription (the row and its event are written together), the row
commits with the rest of that transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import create_engine, create_sessionmaker
from app.models import ApiToken, Application, WebhookEvent, WebhookSubscription
from tests.api.test_list_pooled import serving
from tests.databases import backend_of, migrated_database
from tests.factories import UserWithToken, create_user_with_token
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio

URL = "/api/v1/applications"
BODY = {"company": "Acme", "role_title": "Engineer"}


@pytest.fixture(scope="module")
def own_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(backend_of(database_url), tmp_path_factory.mktemp("alone")) as url:
        yield url


class Served:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.client = client
        self.engine: AsyncEngine = app.state.sessionmaker.kw["bind"]


@pytest.fixture(scope="module")
async def served(own_database: str) -> AsyncIterator[Served]:
    # The route's own path: tests/api/test_create_fast_path.py has the fast path's.
    async with serving(own_database, create_fast_path=False) as (app, client):
        yield Served(app, client)


@pytest.fixture
async def reader(own_database: str) -> AsyncIterator[AsyncEngine]:
    """Another engine on the same database: it sees only what was committed."""
    engine = create_engine(own_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def begins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each transaction asyncpg begins (PostgreSQL only: SQLite's go another way)."""
    begun: list[str] = []
    start = asyncpg.transaction.Transaction.start

    async def counted(self: asyncpg.transaction.Transaction) -> None:
        begun.append("BEGIN")
        await start(self)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "start", counted)
    return begun


async def _user(own_database: str, email: str, *, subscribed: bool = False) -> UserWithToken:
    engine = create_engine(own_database)
    try:
        async with create_sessionmaker(engine)() as session:
            owner = await create_user_with_token(session, email=email)
            if subscribed:
                hook = WebhookSubscription(
                    owner_id=owner.user.id,
                    url="https://hooks.example.com/followup",
                    events=["application.created"],
                    secret="whsec_test",
                )
                session.add(hook)
                await session.commit()
            return owner
    finally:
        await engine.dispose()


async def _stored(reader: AsyncEngine, owner: UserWithToken) -> list[tuple[Any, ...]]:
    query = select(Application.id, Application.company, Application.external_id).where(
        Application.owner_id == owner.user.id
    )
    async with reader.connect() as conn:
        return [tuple(row) for row in await conn.execute(query.order_by(Application.created_at))]


async def _events(reader: AsyncEngine, owner: UserWithToken) -> list[str]:
    query = select(WebhookEvent.body).where(WebhookEvent.owner_id == owner.user.id)
    async with reader.connect() as conn:
        return list((await conn.scalars(query)).all())


def _on_postgresql(url: str) -> bool:
    return backend_of(url) == "postgresql"


async def test_without_subscriptions_the_row_is_one_insert_committed_as_it_runs(
    served: Served, own_database: str, reader: AsyncEngine, begins: list[str]
) -> None:
    owner = await _user(own_database, "plain@example.com")
    await _get(served, "/api/v1/me", owner)  # stamps last_used_at: not due again for a while
    begins.clear()
    with count_queries(served.engine) as statements:
        created = await served.client.post(URL, json=BODY, headers=owner.headers)
    assert created.status_code == 201, created.text
    # The token's check, then the INSERT that checks there is no subscription.
    assert _kinds(statements) == ["SELECT", "INSERT"]
    assert "webhook_subscriptions" in statements[-1]
    if _on_postgresql(own_database):
        assert begins == []  # no BEGIN, so no COMMIT either: the INSERT committed itself
    body = created.json()
    assert await _stored(reader, owner) == [(uuid.UUID(body["id"]), "Acme", None)]
    assert await _events(reader, owner) == []
    again = await _get(served, created.headers["Location"], owner)
    assert again.json() == body
    assert again.headers["ETag"] == created.headers["ETag"]


async def test_a_token_due_its_last_used_at_commits_it_with_the_row(
    served: Served, own_database: str, reader: AsyncEngine, begins: list[str]
) -> None:
    owner = await _user(own_database, "fresh@example.com")  # its token never used yet
    begins.clear()
    created = await served.client.post(URL, json=BODY, headers=owner.headers)
    assert created.status_code == 201, created.text
    if _on_postgresql(own_database):
        # The last_used_at UPDATE began the request's transaction; the INSERT joined it.
        assert begins == ["BEGIN"]
    assert await _stored(reader, owner) == [(uuid.UUID(created.json()["id"]), "Acme", None)]
    async with reader.connect() as conn:
        used = await conn.scalar(
            select(ApiToken.last_used_at).where(ApiToken.user_id == owner.user.id)
        )
    assert used is not None


async def test_with_a_subscription_the_row_and_its_event_commit_together(
    served: Served, own_database: str, reader: AsyncEngine, begins: list[str]
) -> None:
    owner = await _user(own_database, "hooked@example.com", subscribed=True)
    await _get(served, "/api/v1/me", owner)
    begins.clear()
    with count_queries(served.engine) as statements:
        created = await served.client.post(URL, json=BODY, headers=owner.headers)
    assert created.status_code == 201, created.text
    # The INSERT that wrote nothing (there is a subscription), then the usual path.
    assert _kinds(statements)[:3] == ["SELECT", "INSERT", "INSERT"]
    if _on_postgresql(own_database):
        assert begins == ["BEGIN"]
    assert await _stored(reader, owner) == [(uuid.UUID(created.json()["id"]), "Acme", None)]
    [event] = await _events(reader, owner)
    assert json.loads(event)["data"] == created.json()


async def test_a_taken_external_id_is_409_and_the_next_create_is_served(
    served: Served, own_database: str, reader: AsyncEngine
) -> None:
    owner = await _user(own_database, "twice@example.com")
    await _get(served, "/api/v1/me", owner)
    body = {**BODY, "external_id": "req-42"}
    first = await served.client.post(URL, json=body, headers=owner.headers)
    assert first.status_code == 201, first.text
    for _ in range(3):  # more than once: each on a pooled connection that saw a refusal
        taken = await served.client.post(
            URL, json={**body, "company": "Other"}, headers=owner.headers
        )
        assert taken.status_code == 409
        assert taken.headers["Content-Type"] == "application/problem+json"
    other = await served.client.post(
        URL, json={**body, "external_id": "req-43"}, headers=owner.headers
    )
    assert other.status_code == 201, other.text
    assert await _stored(reader, owner) == [
        (uuid.UUID(first.json()["id"]), "Acme", "req-42"),
        (uuid.UUID(other.json()["id"]), "Acme", "req-43"),
    ]


def _kinds(statements: list[str]) -> list[str]:
    """What each statement is, past SQLite's BEGIN IMMEDIATE (app/core/db.py)."""
    return [s.split(maxsplit=1)[0] for s in statements if not s.startswith("BEGIN")]


async def _get(served: Served, path: str, owner: UserWithToken) -> httpx.Response:
    response = await served.client.get(path, headers=owner.headers)
    response.raise_for_status()
    return response
