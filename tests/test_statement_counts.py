"""Every endpoint bench/perf.py measures sends a fixed number of SQL statements.

The same requests for an account with a few applications and for one with many
must cost the same number of statements: one that grows with the data (a query per
application, per person, per step) is how a page that is instant in testing takes
seconds for a long job search. The numbers themselves are pinned too, so a new
statement on these paths is a decision, not an accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.models import Application, Event, Interview, Interviewer, Reference, User
from app.recommendations.cache import step_cache
from app.web import sessions
from tests.factories import create_user_with_token
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio

EVENTS = ("thank_you_email", "handwritten_note", "linkedin_connection", "status_inquiry", "note")
STATUSES = ("interviewing", "applied", "offer", "rejected", "closed")
# (name, method, path); {id} is one of the account's applications. What each costs:
# the token (or web session) lookup, then the work.
ENDPOINTS = {
    "list": ("GET", "/api/v1/applications?limit=50", 2),  # token; page with reference ids
    "detail": ("GET", "/api/v1/applications/{id}", 2),  # token; application with reference ids
    # token; the steps come from this process's cache (app/recommendations/cache.py)
    "recommendations": ("GET", "/api/v1/recommendations", 1),
    # token; the insert; which webhook subscriptions want the event (the outbox)
    "create": ("POST", "/api/v1/applications", 3),
    # web session; the cached steps; applications, interviewers and references of the
    # steps shown.
    "dashboard": ("GET", "/", 4),
}
# The same two computed afresh (the first request after a change): 8 more queries to load
# the engine's input and the user's decisions, and one to check nothing was committed
# meanwhile.
UNCACHED = {"recommendations": 10, "dashboard": 13}


@dataclass
class Account:
    headers: dict[str, str]
    cookie: str
    application_id: str


async def _account(session: AsyncSession, email: str, applications: int) -> Account:
    owner = await create_user_with_token(session, email=email)
    user: User = owner.user
    references = [Reference(owner_id=user.id, name=f"Ref {r}") for r in range(2)]
    session.add_all(references)
    now = datetime.now(UTC)
    for i in range(applications):
        # The first application's steps are the oldest overdue ones, so the dashboard's
        # first steps name interviewers and references at every size.
        ended = now - timedelta(days=30 if i == 0 else 3)
        application = Application(
            owner_id=user.id,
            company=f"Company {i}",
            role_title="Engineer",
            status=STATUSES[i % len(STATUSES)],
            recruiter_name="Rita" if i % 2 else None,
            references=references if i == 0 else references[: i % 2],
            references_requested_at=ended if i == 0 else None,
        )
        session.add(application)
        await session.flush()
        people = [
            Interviewer(owner_id=user.id, application_id=application.id, name=f"P{i}-{p}")
            for p in range(3)
        ]
        session.add_all(people)
        for r in range(2):
            interview = Interview(
                owner_id=user.id,
                application_id=application.id,
                starts_at=ended - timedelta(days=7 * r, hours=1),
                ends_at=ended - timedelta(days=7 * r),
                mutual_interests="open source" if r else None,
            )
            interview.interviewers = people[r : r + 2]
            session.add(interview)
        await session.flush()
        session.add_all(
            Event(
                owner_id=user.id,
                application_id=application.id,
                type=kind,
                occurred_at=ended + timedelta(hours=e),
                interviewer_id=people[e % 3].id if kind != "note" else None,
            )
            for e, kind in enumerate(EVENTS)
        )
    _, cookie = await sessions.start_session(session, user)
    await session.commit()
    return Account(owner.headers, cookie, str(application.id))


def _savepoint(statement: str) -> bool:
    # The tests' rolled-back transaction turns the app's transactions into savepoints.
    return statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


async def _request(client: httpx.AsyncClient, account: Account, name: str) -> httpx.Response:
    method, path, _ = ENDPOINTS[name]
    path = path.format(id=account.application_id)
    if name == "dashboard":
        return await client.get(path, headers={"Cookie": f"followup_session={account.cookie}"})
    if method == "POST":
        body = {"company": "New Co", "role_title": "Engineer"}
        return await client.post(path, headers=account.headers, json=body)
    return await client.get(path, headers=account.headers)


async def test_each_benchmarked_endpoint_costs_the_same_statements_at_3_and_40_applications(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    counts: dict[str, list[int]] = {name: [] for name in ENDPOINTS}
    computed: dict[str, list[int]] = {name: [] for name in UNCACHED}
    for size in (3, 40):
        account = await _account(session, f"size{size}@example.com", size)
        for name in ENDPOINTS:
            # The first request of a token also stamps its last_used_at; count the next.
            (await _request(client, account, name)).raise_for_status()
            counts[name].append(await _count(client, engine, account, name))
        for name in UNCACHED:
            step_cache.clear()
            computed[name].append(await _count(client, engine, account, name))
    assert counts == {name: [fixed, fixed] for name, (_, _, fixed) in ENDPOINTS.items()}
    assert computed == {name: [fixed, fixed] for name, fixed in UNCACHED.items()}


async def _count(
    client: httpx.AsyncClient, engine: AsyncEngine, account: Account, name: str
) -> int:
    with count_queries(engine) as statements:
        response = await _request(client, account, name)
    assert response.is_success, (name, response.text)
    return len([s for s in statements if not _savepoint(s)])
