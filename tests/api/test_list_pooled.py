"""The list's fast path reading on the pool directly, as `followup serve` runs it.

tests/api/test_list_fast_path.py runs the fast path on the tests' sessions (a
rolled-back connection), where it reads in a session. Here each app has its own
engine on a database of its own, data committed, as in production: on PostgreSQL
the fast path then checks the token and reads the page on a pooled connection held
outside any session (`_read_pooled`). Its answers must still be the route's, byte
for byte, and what it doesn't do (a token due its last_used_at write, a page with an
expanding IN) must go to the route or to the session read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from app.applications import listing
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.request_log import logger as request_logger
from app.main import create_app
from app.models import ApiToken
from app.models.base import utcnow
from tests.api.test_list_fast_path import (
    ANSWERED,
    HANDED_ON,
    URL,
    HandedOn,
    _fast_path_of,
    _same,
    seed,
)
from tests.core.test_unavailable import UNREACHABLE
from tests.databases import backend_of, migrated_database
from tests.factories import UserWithToken, create_user_with_token

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def own_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own on the same backend (`people` seeds it, committed)."""
    with migrated_database(backend_of(database_url), tmp_path_factory.mktemp("pooled")) as url:
        yield url


@pytest.fixture(scope="module")
def people(own_database: str) -> dict[str, UserWithToken]:
    """Alice and Bob, with the applications of test_list_fast_path.py's `seed`."""

    async def create() -> dict[str, UserWithToken]:
        engine = create_engine(own_database)
        try:
            async with create_sessionmaker(engine)() as session:
                alice = await create_user_with_token(session, email="alice@example.com")
                bob = await create_user_with_token(session, email="bob@example.com")
                await seed(session, alice, bob)
                return {"alice": alice, "bob": bob}
        finally:
            await engine.dispose()

    return asyncio.run(create())


@asynccontextmanager
async def serving(url: str, **settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app as `followup serve` builds it (its own engine, through its lifespan)."""
    app = create_app(Settings(env="test", database_url=url, run_worker=False, **settings))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield app, client


class Served:
    def __init__(self, fast_app: FastAPI, fast: httpx.AsyncClient, route: httpx.AsyncClient):
        self.app, self.fast, self.route = fast_app, fast, route
        fast_path = _fast_path_of(fast_app)  # the stack is built by the first request
        self.spy = fast_path.app = HandedOn(fast_path.app)
        self.pooled_reads = 0

    async def get(self, target: str, headers: Any) -> tuple[httpx.Response, bool, bool]:
        """The fast app's answer, checked against the route's; whether the fast path
        handed it on; whether it read the page on the pool."""
        handed, pooled = self.spy.lists, self.pooled_reads
        answer = await self.fast.get(target, headers=headers)
        _same(answer, await self.route.get(target, headers=headers))
        return answer, self.spy.lists > handed, self.pooled_reads > pooled


@pytest.fixture(scope="module")
async def apps(own_database: str) -> AsyncIterator[Served]:
    """Built once per module: building an app is most of what a test here costs."""
    async with (
        serving(own_database) as (fast_app, fast),
        serving(own_database, list_fast_path=False) as (_, route),
    ):
        await fast.get("/healthz")
        yield Served(fast_app, fast, route)


@pytest.fixture
async def served(apps: Served, own_database: str, monkeypatch: pytest.MonkeyPatch) -> Served:
    read_page = listing.list_page_pooled

    async def counted(*args: Any) -> Any:
        apps.pooled_reads += 1
        return await read_page(*args)

    monkeypatch.setattr(listing, "list_page_pooled", counted)
    await _note_recent_use(own_database)
    return apps


async def _note_recent_use(url: str, ago: timedelta = timedelta(0)) -> None:
    """Every token last used `ago` before now (so not due a write, by default)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.execute(update(ApiToken).values(last_used_at=utcnow() - ago))
            await session.commit()
    finally:
        await engine.dispose()


async def test_only_asyncpg_reads_on_the_pool(own_database: str) -> None:
    async with serving(own_database) as (app, _):
        engine = app.state.pooled_engine
        if backend_of(own_database) == "sqlite":
            assert engine is None
        else:
            assert engine is not None
            assert engine.dialect.driver == "asyncpg"


@pytest.mark.parametrize("query", ANSWERED)
async def test_pooled_answers_are_the_route_s(
    served: Served, people: dict[str, UserWithToken], own_database: str, query: str
) -> None:
    alice = people["alice"]
    first = await served.route.get(URL, params={"limit": 2}, headers=alice.headers)
    target = f"{URL}?{query.format(cursor=first.json()['next_cursor'])}"
    answer, handed_on, pooled = await served.get(target, alice.headers)
    assert (answer.status_code, handed_on) == (200, False)
    # A filter by status is an expanding IN, which one SQL string can't carry: those
    # pages are read in a session, as every page is on SQLite.
    by_status = "status=" in query or "active=" in query
    assert pooled == (backend_of(own_database) == "postgresql" and not by_status)


@pytest.mark.parametrize("query", HANDED_ON)
async def test_what_the_fast_path_can_t_read_still_goes_to_the_route(
    served: Served, people: dict[str, UserWithToken], query: str
) -> None:
    _, handed_on, pooled = await served.get(f"{URL}?{query}", people["alice"].headers)
    assert (handed_on, pooled) == (True, False)


async def test_a_token_due_its_last_used_write_is_written_by_the_route(
    served: Served, people: dict[str, UserWithToken], own_database: str
) -> None:
    alice = people["alice"]
    await _note_recent_use(own_database, ago=timedelta(minutes=5))
    answer, handed_on, _ = await served.get(URL, alice.headers)
    # A read on the pool writes nothing: the route writes it. In a session (SQLite)
    # the fast path writes it itself.
    assert (answer.status_code, handed_on) == (200, backend_of(own_database) == "postgresql")
    engine = create_engine(own_database)
    try:
        async with create_sessionmaker(engine)() as session:
            used = await session.scalar(
                select(ApiToken.last_used_at).where(ApiToken.user_id == alice.user.id)
            )
    finally:
        await engine.dispose()
    assert used is not None
    assert utcnow() - used < timedelta(minutes=1)
    answer, handed_on, _ = await served.get(URL, alice.headers)
    assert (answer.status_code, handed_on) == (200, False)


async def test_a_bad_token_is_the_route_s_401(served: Served) -> None:
    answer, handed_on, pooled = await served.get(URL, {"Authorization": "Bearer fu_nope"})
    assert (answer.status_code, handed_on, pooled) == (401, True, False)


async def test_each_user_reads_only_their_own(
    served: Served, people: dict[str, UserWithToken]
) -> None:
    answer, handed_on, _ = await served.get(URL, people["bob"].headers)
    assert handed_on is False
    assert [item["company"] for item in answer.json()["items"]] == ["Bob's only"]


async def test_the_request_log_names_the_caller(
    served: Served, people: dict[str, UserWithToken], caplog: pytest.LogCaptureFixture
) -> None:
    alice = people["alice"]
    with caplog.at_level(logging.INFO, logger=request_logger.name):
        answer, handed_on, _ = await served.get(URL, alice.headers)
    assert (answer.status_code, handed_on) == (200, False)
    # The first line is the fast app's; the route app's follows.
    first = next(r for r in caplog.records if r.name == request_logger.name)
    assert json.loads(first.getMessage())["user_id"] == str(alice.user.id)


@pytest.mark.parametrize("token", ["alice", "nobody"])
async def test_every_connection_goes_back_to_the_pool(
    served: Served, people: dict[str, UserWithToken], own_database: str, token: str
) -> None:
    headers = {"Authorization": f"Bearer {people[token].token if token in people else 'fu_x'}"}
    before, handed = served.pooled_reads, served.spy.lists
    answers = await asyncio.gather(*(served.fast.get(URL, headers=headers) for _ in range(25)))
    valid = token in people
    assert {a.status_code for a in answers} == {200 if valid else 401}
    # Answered here, or each handed on (an invalid token): never read and then dropped.
    assert served.spy.lists - handed == (0 if valid else 25)
    if backend_of(own_database) == "postgresql":
        assert served.pooled_reads - before == (25 if valid else 0)
        pool = served.app.state.pooled_engine.sync_engine.pool
        assert pool.checkedout() == 0


async def test_an_unreachable_database_is_a_503() -> None:
    async with serving(UNREACHABLE) as (app, client):
        assert app.state.pooled_engine is not None
        answer = await client.get(URL, headers={"Authorization": "Bearer fu_x"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
