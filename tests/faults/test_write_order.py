"""Two writers locking one application in opposite orders don't deadlock on the user's row.

Every write to a table the policy engine reads changes users.data_version (a trigger).
Recording a withdrawal inserts an event and then updates its application's status; a
PATCH of the same application updates the application first. If the user's row were
locked at the event insert, each would wait for the other. The triggers run at commit,
so the user's row is the last lock either takes. Real commits on the private cluster:
the other tests' rolled-back transaction fires the triggers at once instead.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.core.db import create_engine
from app.models import Application, Event, User

pytestmark = pytest.mark.anyio


async def _version(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    value = await conn.scalar(select(User.data_version).where(User.id == user_id))
    assert value is not None
    return value


async def test_event_then_status_against_a_patch_both_commit(cluster_database_url: str) -> None:
    engine = create_engine(cluster_database_url)
    try:
        await _race(engine)
    finally:
        await engine.dispose()


async def _waiting_for_a_lock(engine: AsyncEngine, pid: int) -> None:
    """Until PostgreSQL says that backend waits on a lock (not a sleep: a fact)."""
    query = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
    async with engine.connect() as observer:
        while True:
            if await observer.scalar(query, {"pid": pid}) == "Lock":
                return
            await asyncio.sleep(0.01)  # polling another backend: there is nothing to await


async def _race(engine: AsyncEngine) -> None:
    user_id, application_id = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(User).values(id=user_id, email="order@example.com", password_hash="x", name="O")
        )
        await conn.execute(
            insert(Application).values(
                id=application_id, owner_id=user_id, company="Acme", role_title="SRE"
            )
        )
        before = await _version(conn, user_id)
    application = Application.__table__
    async with engine.connect() as withdrawing, engine.connect() as patching:
        await withdrawing.begin()
        await patching.begin()
        withdrawing_pid = await withdrawing.scalar(text("SELECT pg_backend_pid()"))
        await withdrawing.execute(
            insert(Event).values(
                id=uuid.uuid4(),
                owner_id=user_id,
                application_id=application_id,
                type="withdrawal",
                occurred_at=datetime.now(UTC),
            )
        )
        # Had the event's insert locked the user's row, this would wait for it here.
        await asyncio.wait_for(
            patching.execute(
                update(application)
                .where(application.c.id == application_id)
                .values(company="Initech")
            ),
            timeout=10,
        )
        # Waits for the PATCH's lock on the application...
        blocked = asyncio.create_task(
            withdrawing.execute(
                update(application)
                .where(application.c.id == application_id)
                .values(status="withdrawn")
            )
        )
        await asyncio.wait_for(_waiting_for_a_lock(engine, withdrawing_pid), timeout=10)
        assert not blocked.done()
        # ...while the PATCH commits, which needs the user's row: no cycle, both commit.
        await asyncio.wait_for(patching.commit(), timeout=10)
        await asyncio.wait_for(blocked, timeout=10)
        await asyncio.wait_for(withdrawing.commit(), timeout=10)
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(application.c.company, application.c.status).where(
                    application.c.id == application_id
                )
            )
        ).one()
        assert tuple(row) == ("Initech", "withdrawn")
        assert await _version(conn, user_id) != before
