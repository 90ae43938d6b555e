"""A pooled connection that died while idle, met by the list's fast path reading on the
pool (app/applications/list_fast_path.py, `_read_pooled`): it is discarded, and the
request goes to the route, which answers on a new connection. On the private cluster,
killing the backend for real.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.core.db import create_engine, create_sessionmaker
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
