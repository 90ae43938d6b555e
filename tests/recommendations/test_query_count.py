"""Loading recommendations is a fixed number of queries, whatever the number of applications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.models import Application, Event, Interview, Interviewer, User
from tests.factories import UserWithToken, create_user_with_token
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio


async def _seed(session: AsyncSession, user: User, count: int) -> None:
    ended = datetime.now(UTC) - timedelta(days=2)
    for i in range(count):
        application = Application(
            owner_id=user.id, company=f"Company {i}", role_title="Engineer", status="interviewing"
        )
        session.add(application)
        await session.flush()
        person = Interviewer(owner_id=user.id, application_id=application.id, name=f"Person {i}")
        interview = Interview(
            owner_id=user.id,
            application_id=application.id,
            starts_at=ended - timedelta(hours=1),
            ends_at=ended,
        )
        interview.interviewers = [person]
        session.add_all([person, interview])
        session.add(
            Event(owner_id=user.id, application_id=application.id, type="note", occurred_at=ended)
        )
    await session.commit()


async def test_same_number_of_queries_for_10_and_500_applications(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    counts = []
    for n, email in ((10, "ten@example.com"), (500, "many@example.com")):
        owner: UserWithToken = await create_user_with_token(session, email=email)
        await _seed(session, owner.user, n)
        # Warm up: the token's last_used_at write happens on the first request only.
        await client.get("/api/v1/me", headers=owner.headers)
        with count_queries(engine) as statements:
            r = await client.get("/api/v1/recommendations", headers=owner.headers)
        assert r.status_code == 200
        assert len({rec["application_id"] for rec in r.json()["items"]}) == n
        counts.append(len(statements))
    assert counts[0] > 0
    assert counts[0] == counts[1], counts
