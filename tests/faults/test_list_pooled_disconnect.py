"""Connections held outside any session (app/core/driver.py, `pooled_connection`), as the
list's fast path reads on them, when something goes wrong on the private cluster:

- a pooled connection that died while idle is discarded, and the list request goes to
  the route, which answers on a new connection (the backend killed for real);
- a statement cancelled mid-way discards its connection (and the server's backend
  goes with it); a statement the server refuses, or a bug before anything is sent,
  leaves the connection in the pool, and the error is raised as it was.
"""

from __future__ import annotations

import anyio
import asyncpg
import pytest
from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import create_engine, create_sessionmaker
from app.core.driver import DriverQuery, pooled_connection
from tests.api.test_list_fast_path import URL, HandedOn, _fast_path_of
from tests.api.test_list_pooled import serving
from tests.factories import create_application, create_user_with_token

pytestmark = pytest.mark.anyio

OTHER_BACKENDS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def test_a_dead_pooled_connection_is_discarded_and_the_route_answers(
    cluster_database_url: str,
) -> None:
    admin = create_engine(cluster_database_url)
    try:
        async with create_sessionmaker(admin)() as session:
            alice = await create_user_with_token(session, email="alice@example.com")
            await create_application(session, alice.user, company="Still here")
        async with serving(cluster_database_url) as (app, client):
            # The first request writes the token's last_used_at: the route's to do.
            assert (await client.get(URL, headers=alice.headers)).status_code == 200
            fast_path = _fast_path_of(app)
            spy = fast_path.app = HandedOn(fast_path.app)
            before = await client.get(URL, headers=alice.headers)
            pool = app.state.pooled_engine.sync_engine.pool
            assert (before.status_code, spy.lists, pool.checkedin()) == (200, 0, 1)

            async with admin.connect() as connection:
                killed = (await connection.execute(OTHER_BACKENDS)).scalars().all()
            assert killed == [True]  # the one idle in the pool

            after = await client.get(URL, headers=alice.headers)
            assert (after.status_code, after.content) == (200, before.content)
            assert spy.lists == 1  # the fast path met the dead connection, the route answered
            again = await client.get(URL, headers=alice.headers)
            assert (again.status_code, again.content, spy.lists) == (200, before.content, 1)
    finally:
        await admin.dispose()


SLEEP = DriverQuery(select(func.pg_sleep(bindparam("seconds"))))
DIVIDE = DriverQuery(select(literal_column("1") / bindparam("by")))
SLEEPING = text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'")


async def _next_pid(engine: AsyncEngine) -> int:
    """The server pid of the connection the pool gives out next."""
    async with pooled_connection(engine) as pooled:
        pid: int = pooled.driver_connection.get_server_pid()  # type: ignore[union-attr]
    return pid


async def test_a_cancelled_statement_discards_its_connection(cluster_database_url: str) -> None:
    engine = create_engine(cluster_database_url)
    admin = create_engine(cluster_database_url)
    try:
        cancelled = await _next_pid(engine)
        with anyio.move_on_after(0.5) as waited:
            async with pooled_connection(engine) as pooled:
                await SLEEP.fetch_pooled(pooled, engine.dialect, {"seconds": 30})
        assert waited.cancelled_caught
        assert engine.sync_engine.pool.checkedout() == 0
        assert await _next_pid(engine) != cancelled  # a new connection in its place
        async with admin.connect() as connection:
            for _ in range(200):  # its backend ends with it, within 10 s
                if not await connection.scalar(SLEEPING):
                    break
                await anyio.sleep(0.05)
            else:
                pytest.fail("the cancelled statement's backend is still running")
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_refused_statement_or_a_bug_keeps_the_connection(
    cluster_database_url: str,
) -> None:
    engine = create_engine(cluster_database_url)
    try:
        kept = await _next_pid(engine)
        async with pooled_connection(engine) as pooled:
            with pytest.raises(asyncpg.DivisionByZeroError):
                await DIVIDE.fetch_pooled(pooled, engine.dialect, {"by": 0})
            with pytest.raises(KeyError):
                await DIVIDE.fetch_pooled(pooled, engine.dialect, {})  # sends nothing
            assert await DIVIDE.fetch_pooled(pooled, engine.dialect, {"by": 1}) == [(1,)]
        assert engine.sync_engine.pool.checkedout() == 0
        assert await _next_pid(engine) == kept
    finally:
        await engine.dispose()
