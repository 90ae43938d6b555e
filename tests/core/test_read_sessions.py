"""GET requests on PostgreSQL run without BEGIN/COMMIT; everything else in one transaction."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import SessionDep, TransactionRoute, create_engine, create_read_sessionmaker
from app.main import create_app
from tests.databases import backend_of

pytestmark = pytest.mark.anyio

# Two calls in one transaction share its id; in autocommit each statement is its own.
XACT_IDS = "SELECT pg_current_xact_id()::text"


async def test_read_sessions_on_postgresql_commit_each_statement(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_read_sessionmaker(engine)() as session:
            if backend_of(database_url) == "sqlite":
                assert session.bind is engine  # SQLite keeps its usual transactions
            else:
                first = await session.scalar(text(XACT_IDS))
                second = await session.scalar(text(XACT_IDS))
                assert first != second
    finally:
        await engine.dispose()


async def test_only_reads_get_the_read_sessions(database_url: str) -> None:
    """Through the app as `followup serve` builds it: a POST keeps its one transaction."""
    app = create_app(Settings(env="test", database_url=database_url, run_worker=False))
    probe = APIRouter(route_class=TransactionRoute)

    @probe.api_route("/probe", methods=["GET", "POST"])
    async def probe_route(session: SessionDep) -> dict[str, object]:
        connection = (await session.connection()).sync_connection
        assert connection is not None
        xacts = []
        if backend_of(database_url) == "postgresql":
            xacts = [str(await session.scalar(text(XACT_IDS))) for _ in range(2)]
        return {
            "isolation": connection.get_execution_options().get("isolation_level"),
            "xacts": xacts,
        }

    app.include_router(probe)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            read = (await client.get("/probe")).json()
            write = (await client.post("/probe")).json()
    assert write["isolation"] is None  # the engine's default: one transaction
    if backend_of(database_url) == "sqlite":
        assert read["isolation"] is None  # SQLite keeps its usual transactions
    else:
        assert read["isolation"] == "AUTOCOMMIT"
        assert read["xacts"][0] != read["xacts"][1]
        assert write["xacts"][0] == write["xacts"][1]
