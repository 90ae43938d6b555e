"""A connection that dies under a statement run on the driver (app/core/driver.py) is
handled as SQLAlchemy handles its own: the request gets the error the 503 middleware
knows, and the whole pool is invalidated, so the next requests reconnect instead of
each meeting a dead connection. On the private cluster, killing the backend for real.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy import exc as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.db import create_engine, create_sessionmaker
from app.core.driver import DriverQuery
from app.core.unavailable import is_database_unavailable
from app.models import User

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
