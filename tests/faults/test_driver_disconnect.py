"""A connection that dies under a statement run on the driver (app/core/driver.py) is
handled as SQLAlchemy handles its own: the request gets the error the 503 middleware
knows, and the whole pool is invalidated, so the next requests reconnect instead of
each meeting a dead connection. On the private cluster, killing the backend for real.

A write (`DriverWrite`) is never run twice: the session's connection is invalidated
and the error raised, whether the connection died under it or the statement was
cancelled mid-way; either way nothing is written here, and the pool's next
connection is a new one.

A connection asyncpg can't use any more (InternalClientError, which a killed
backend's last error leaves behind while the socket still looks open) counts as a
disconnect for SQLAlchemy's own statements too, including a driver read handed back
to SQLAlchemy: the pool is invalidated and the request gets a 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import asyncpg
import pytest
from sqlalchemy import bindparam, func, select, text, true
from sqlalchemy import exc as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.db import create_engine, create_sessionmaker
from app.core.driver import DriverQuery, DriverWrite
from app.core.loaded import insert_values, insert_where
from app.core.unavailable import is_database_unavailable
from app.models import Reference, User
from tests.factories import create_user

pytestmark = pytest.mark.anyio

QUERY = DriverQuery(select(User.id).where(User.email == bindparam("email")))
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
                await QUERY.fetch(session, {"email": "nobody@example.com"})
        assert failure.value.connection_invalidated
        assert is_database_unavailable(failure.value)

        # The idle connection was checked in before the failure: invalidating the pool
        # retires it too, so this checkout opens a new backend, and it works.
        assert await _pid_of_a_pooled_connection(engine) not in {idle_pid, victim}
        async with sessions() as session:
            assert list(await QUERY.fetch(session, {"email": "nobody@example.com"})) == []
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
    """Both ways a request's SELECT can reach asyncpg: SQLAlchemy's own statement, and a
    driver read that hands its failure back to SQLAlchemy."""
    engine = create_engine(cluster_database_url)
    sessions = create_sessionmaker(engine)
    through_orm = select(User.id).where(User.email == "nobody@example.com")
    try:
        for run in (
            lambda session: session.execute(through_orm),
            lambda session: QUERY.fetch(session, {"email": "nobody@example.com"}),
        ):
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
                        await run(session)
            assert failure.value.orig.__cause__ is BROKEN
            assert failure.value.connection_invalidated
            assert is_database_unavailable(failure.value)  # a 503 for the request
            assert await _pid_of_a_pooled_connection(engine) not in {idle_pid, broken}
    finally:
        await engine.dispose()


WRITE = DriverWrite(insert_where(Reference, true()))
# The same INSERT, after a pause the test cuts short (pg_sleep's void IS NOT NULL: true).
SLOW_WRITE = DriverWrite(insert_where(Reference, func.pg_sleep(bindparam("pause")).is_not(None)))
REFERENCES = text('SELECT count(*) FROM "references"')


async def test_a_write_on_a_killed_connection_invalidates_it_and_writes_nothing(
    cluster_database_url: str,
) -> None:
    engine = create_engine(cluster_database_url)
    try:
        async with _about_to_write(engine) as (session, values, connection):
            victim = await _pid(connection)
            await _terminate(cluster_database_url, victim)
            # asyncpg's "connection is closed" if it already knew the backend had gone,
            # or, still taking in the server's last error, "another operation is in
            # progress", raised as SQLAlchemy's OperationalError.
            with pytest.raises((asyncpg.InterfaceError, sa.OperationalError)) as failure:
                await WRITE.fetch(session, values)
            assert is_database_unavailable(failure.value)  # a 503 for the request
            assert connection.invalidated
        await _nothing_written_and_a_new_connection(engine, victim)
    finally:
        await engine.dispose()


async def test_a_write_meeting_the_servers_last_error_is_an_outage(
    cluster_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other outcome of the race above, made certain: the backend's FATAL is being
    taken in when the write starts, so asyncpg won't start it."""
    engine = create_engine(cluster_database_url)
    try:
        async with _about_to_write(engine) as (session, values, connection):
            with monkeypatch.context() as patch:
                patch.setattr(asyncpg.Connection, "fetch", _refuse)  # slotted: not on the instance
                with pytest.raises(sa.OperationalError) as failure:
                    await WRITE.fetch(session, values)
            assert failure.value.orig is BROKEN
            assert failure.value.connection_invalidated
            assert is_database_unavailable(failure.value)  # a 503 for the request
            assert connection.invalidated
        async with engine.connect() as conn:
            assert await conn.scalar(REFERENCES) == 0
    finally:
        await engine.dispose()


async def test_a_cancelled_write_invalidates_its_connection_and_writes_nothing(
    cluster_database_url: str,
) -> None:
    engine = create_engine(cluster_database_url)
    try:
        async with _about_to_write(engine) as (session, values, connection):
            cancelled = await _pid(connection)
            with anyio.move_on_after(0.5) as waited:
                await SLOW_WRITE.fetch(session, {**values, "pause": 30})
            assert waited.cancelled_caught
            assert connection.invalidated
        await _nothing_written_and_a_new_connection(engine, cancelled)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _about_to_write(
    engine: AsyncEngine,
) -> AsyncIterator[tuple[AsyncSession, dict[str, Any], AsyncConnection]]:
    """A session holding its connection, and a reference's values to write on it."""
    async with create_sessionmaker(engine)() as session:
        owner = await create_user(session)
        values = insert_values(Reference, {"owner_id": owner.id, "name": "Grace"})
        yield session, values, await session.connection()


async def _nothing_written_and_a_new_connection(engine: AsyncEngine, old_pid: int) -> None:
    assert await _pid_of_a_pooled_connection(engine) != old_pid
    async with engine.connect() as conn:
        assert await conn.scalar(REFERENCES) == 0
