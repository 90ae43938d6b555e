"""TransactionRoute: one transaction per request, ended before the response is sent.

Through the app as `followup serve` builds it (its own engine, on a database of its
own, since these requests really commit): what a request that succeeds wrote is
there afterwards, what a request that failed wrote is not, and every request gives
its connection back to the pool, whichever way it ended.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import Conflict
from app.main import create_app
from app.models import User
from tests.databases import backend_of, migrated_database

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def own_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(backend_of(database_url), tmp_path_factory.mktemp("tx")) as url:
        yield url


def _user(name: str) -> User:
    return User(email=f"{uuid.uuid4().hex}@example.com", password_hash="x", name=name)


def _probes() -> APIRouter:
    probes = APIRouter(route_class=TransactionRoute)

    @probes.post("/probe/ok")
    async def ok(session: SessionDep) -> dict[str, str]:
        session.add(_user("kept"))
        await session.flush()
        return {}

    @probes.post("/probe/fails")
    async def fails(session: SessionDep) -> dict[str, str]:
        session.add(_user("dropped"))
        await session.flush()
        raise Conflict("after a write")

    @probes.get("/probe/rename/{name}")
    async def rename(name: str, session: SessionDep) -> dict[str, str]:
        # A GET that changes an ORM object: on PostgreSQL its session runs without a
        # transaction, and the change must still be written when the route ends.
        user = (await session.scalars(select(User).where(User.name == "kept"))).one()
        user.name = name
        return {}

    @probes.get("/probe/rename-then-fail")
    async def rename_then_fail(session: SessionDep) -> dict[str, str]:
        user = (await session.scalars(select(User).where(User.name == "renamed"))).one()
        user.name = "never"
        raise Conflict("after a change")

    @probes.get("/probe/read")
    async def read(session: SessionDep) -> list[str]:
        return list((await session.scalars(select(User.name).order_by(User.name))).all())

    return probes


@asynccontextmanager
async def _serving(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    app = create_app(Settings(env="test", database_url=url, run_worker=False))
    app.include_router(_probes())
    async with app.router.lifespan_context(app):
        engine = app.state.sessionmaker.kw["bind"]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, engine


async def test_a_request_commits_what_it_did_if_it_succeeded_and_nothing_otherwise(
    own_database_url: str,
) -> None:
    async with _serving(own_database_url) as (client, engine):
        assert (await client.post("/probe/ok")).status_code == 200
        assert (await client.post("/probe/fails")).status_code == 409
        assert (await client.get("/probe/read")).json() == ["kept"]
        assert (await client.get("/probe/rename/renamed")).status_code == 200
        assert (await client.get("/probe/read")).json() == ["renamed"]
        assert (await client.get("/probe/rename-then-fail")).status_code == 409
        assert (await client.get("/probe/read")).json() == ["renamed"]
        assert engine.pool.checkedout() == 0


def test_every_route_of_the_app_is_a_transaction_route() -> None:
    app = create_app(Settings(env="test", run_worker=False))
    routes = _api_routes(app)
    assert len(routes) > 50  # the walk found them all: the API's and the pages'
    plain = [route.path for route in routes if not isinstance(route, TransactionRoute)]
    assert plain == []


def _api_routes(app: FastAPI) -> list[APIRoute]:
    found: list[APIRoute] = []
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        original = getattr(route, "original_router", None)  # an included router
        if original is not None:
            pending.extend(original.routes)
    return found


async def test_a_session_outside_a_transaction_route_is_refused(own_database_url: str) -> None:
    app = create_app(Settings(env="test", database_url=own_database_url, run_worker=False))
    plain = APIRouter()

    @plain.get("/plain")
    async def uses_a_session(session: SessionDep) -> None:
        raise AssertionError("never reached")

    app.include_router(plain)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            with pytest.raises(RuntimeError, match="route_class=TransactionRoute"):
                await client.get("/plain")
