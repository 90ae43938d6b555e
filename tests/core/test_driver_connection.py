"""DriverQuery keeps the session's connection between statements, and only while it
is the session's: after the transaction ends, the next statement asks again."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import create_read_sessionmaker, create_sessionmaker
from app.core.driver import _CONNECTION, DriverQuery
from app.models import User

pytestmark = pytest.mark.anyio

USERS_WITH_EMAIL = DriverQuery(
    select(func.count()).select_from(User).where(User.email == bindparam("email"))
)


async def test_a_statement_after_a_commit_runs_on_the_session_s_next_connection(
    engine: AsyncEngine,
) -> None:
    async with create_sessionmaker(engine)() as session:
        params = {"email": "nobody@example.com"}
        assert [tuple(row) for row in await USERS_WITH_EMAIL.fetch(session, params)] == [(0,)]
        first = (await session.connection()).sync_connection
        await session.commit()  # the connection goes back to the pool, and is closed here
        assert first is not None
        assert first.closed
        assert [tuple(row) for row in await USERS_WITH_EMAIL.fetch(session, params)] == [(0,)]
        assert (await session.connection()).sync_connection is not first
    assert engine.pool.checkedout() == 0


async def test_a_session_never_starts_with_another_session_s_connection(
    engine: AsyncEngine,
) -> None:
    # The connection is kept in Session.info, which must be each session's own, for
    # the write sessions and the read sessions (another engine's options) alike.
    params = {"email": "nobody@example.com"}
    for factory in (create_sessionmaker(engine), create_read_sessionmaker(engine)):
        async with factory() as first:
            await USERS_WITH_EMAIL.fetch(first, params)
            assert _CONNECTION in first.info
        async with factory() as second:
            assert _CONNECTION not in second.info
