"""A connection that dies under a request's statement is handled as an outage: the
request gets the error the 503 middleware knows, and the whole pool is invalidated, so
the next requests reconnect instead of each meeting a dead connection. On the private
cluster, killing the backend for real.

A connection asyncpg can't use any more (InternalClientError, which a killed
backend's last error leaves behind while the socket still looks open) counts as a
disconnect too (app/core/db.py), though SQLAlchemy's asyncpg dialect alone would keep
it: the pool is invalidated and the request gets a 503.
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.db import create_engine, create_sessionmaker
from app.core.unavailable import is_database_unavailable
from app.models import User

pytestmark = pytest.mark.anyio

QUERY = select(User.id).where(User.email == "nobody@example.com")
PID = text("SELECT pg_backend_pid()")


async def _pid_of_a_pooled_connection(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await _pid(conn)


async def _pid(conn: AsyncConnection) -> int:
    pid = await conn.scalar(PID)
    assert isinstance(pid, int)
    return pid


async def _terminate(database_url: str, pid: int) -> None:
    admin = create_engine(database_url)
    try:
        async with admin.connect() as conn:
            killed = await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert killed
    finally:
        await admin.dispose()


async def test_a_killed_connection_fails_cleanly_and_invalidates_the_pool(
    cluster_database_url: str,
) -> None:
    engine = create_engine(cluster_database_url)
    sessions = create_sessionmaker(engine)
    try:
        idle = await engine.connect()
        idle_pid = await _pid(idle)
        async with sessions() as session:
            victim = await _pid(await session.connection())
            await idle.close()  # back in the pool, idle, still alive
            await _terminate(cluster_database_url, victim)
            with pytest.raises(sa.DBAPIError) as failure:
                await session.execute(QUERY)
        assert failure.value.connection_invalidated
        assert is_database_unavailable(failure.value)

        # The idle connection was checked in before the failure: invalidating the pool
        # retires it too, so this checkout opens a new backend, and it works.
        assert await _pid_of_a_pooled_connection(engine) not in {idle_pid, victim}
        async with sessions() as session:
            assert (await session.execute(QUERY)).all() == []
    finally:
        await engine.dispose()


BROKEN = asyncpg.InternalClientError(
    "cannot switch to state 11; another operation (2) is in progress"
)


async def _refuse(*_: object) -> None:
    raise BROKEN


async def test_a_statement_meeting_a_broken_protocol_invalidates_the_pool(
    cluster_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(cluster_database_url)
    sessions = create_sessionmaker(engine)
    try:
        for _ in range(2):  # and again on the pool's new connections
            idle = await engine.connect()
            idle_pid = await _pid(idle)
            async with sessions() as session:
                broken = await _pid(await session.connection())
                await idle.close()
                with monkeypatch.context() as patch:
                    # Slotted classes: patched on the class, not the instance.
                    patch.setattr(asyncpg.Connection, "fetch", _refuse)
                    patch.setattr(asyncpg.prepared_stmt.PreparedStatement, "fetch", _refuse)
                    with pytest.raises(sa.DBAPIError) as failure:
                        await session.execute(QUERY)
            assert failure.value.orig.__cause__ is BROKEN
            assert failure.value.connection_invalidated
            assert is_database_unavailable(failure.value)  # a 503 for the request
            assert await _pid_of_a_pooled_connection(engine) not in {idle_pid, broken}
    finally:
        await engine.dispose()
