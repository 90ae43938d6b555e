"""`recommendation.due`: once per recommendation, when it becomes due (docs/webhooks.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Application, EmittedRecommendation, User, WebhookEvent
from app.models.base import utcnow
from app.policy import Completion, Recommendation
from app.recommendations.schemas import RecommendationOut
from app.recommendations.service import list_recommendations
from app.webhooks.scheduler import run_scheduler_once
from tests.factories import UserWithToken, create_interview
from tests.webhooks.helpers import WorkerPass, all_rows, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
NOW = utcnow()


def _rec(rec_id: str, due_at: datetime) -> Recommendation:
    return Recommendation(
        id=rec_id,
        rule="keep_applying",
        title="Keep applying",
        rationale="Momentum matters.",
        application_id=None,
        interview_id=None,
        interviewer_id=None,
        reference_id=None,
        due_at=due_at,
        overdue=False,
        priority="low",
        channel=None,
        draft=None,
        completion=Completion(kind="manual", hint="Apply somewhere."),
    )


class FakeRecommender:
    def __init__(self, *recs: Recommendation) -> None:
        self.recs = list(recs)
        self.calls: list[tuple[User, datetime]] = []

    async def __call__(
        self, session: AsyncSession, user: User, *, as_of: datetime
    ) -> list[Recommendation]:
        self.calls.append((user, as_of))
        return [replace(r, overdue=as_of > r.due_at) for r in self.recs]


async def test_due_recommendations_are_emitted_once_and_delivered(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    application: Application,
    worker_pass: WorkerPass,
) -> None:
    await create_interview(session, application)  # ended an hour ago, nobody recorded
    await subscribe(local_client, alice, receiver.url(), ["recommendation.due"])
    now = utcnow()
    due = [r for r in await list_recommendations(session, alice.user, as_of=now) if r.due_at <= now]
    assert due  # the engine has something due for this situation

    assert await run_scheduler_once(sessionmaker, now=now) == len(due)
    # A second look (or a restart) finds nothing new.
    assert await run_scheduler_once(sessionmaker, now=now + timedelta(minutes=1)) == 0
    await worker_pass()

    payloads = [json.loads(r.body) for r in receiver.requests]
    assert {p["type"] for p in payloads} == {"recommendation.due"}
    by_id = {p["data"]["id"]: p["data"] for p in payloads}
    assert len(payloads) == len(by_id) == len(due)
    for rec in due:
        assert by_id[rec.id] == RecommendationOut.of(rec).model_dump(mode="json")
    emitted = await all_rows(session, EmittedRecommendation)
    assert {e.recommendation_id for e in emitted} == {r.id for r in due}


async def test_only_those_due_by_now_and_each_when_it_becomes_due(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, hook: dict[str, Any]
) -> None:
    recommender = FakeRecommender(
        _rec("rec_past", NOW - timedelta(hours=1)),
        _rec("rec_now", NOW),
        _rec("rec_later", NOW + timedelta(hours=2)),
    )

    assert await run_scheduler_once(sessionmaker, now=NOW, recommender=recommender) == 2
    assert await run_scheduler_once(sessionmaker, now=NOW, recommender=recommender) == 0
    later = NOW + timedelta(hours=3)
    assert await run_scheduler_once(sessionmaker, now=later, recommender=recommender) == 1

    events = await all_rows(session, WebhookEvent)
    ids = sorted(json.loads(e.body)["data"]["id"] for e in events)
    assert ids == ["rec_later", "rec_now", "rec_past"]
    assert {e.type for e in events} == {"recommendation.due"}


async def test_users_without_a_listening_subscription_cost_nothing(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    await subscribe(local_client, alice, receiver.url(), ["application.created"])
    hook = await subscribe(local_client, bob, receiver.url())
    await local_client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"enabled": False}, headers=bob.headers
    )
    recommender = FakeRecommender(_rec("rec_1", NOW - timedelta(hours=1)))

    assert await run_scheduler_once(sessionmaker, now=NOW, recommender=recommender) == 0
    assert recommender.calls == []
    assert await all_rows(session, EmittedRecommendation) == []


async def test_one_users_failure_does_not_stop_the_others(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    hook: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(local_client, bob, receiver.url())
    fine = FakeRecommender(_rec("rec_1", NOW - timedelta(hours=1)))

    async def flaky(session: AsyncSession, user: User, *, as_of: datetime) -> list[Recommendation]:
        if user.id == alice.user.id:
            raise RuntimeError("boom")
        return await fine(session, user, as_of=as_of)

    assert await run_scheduler_once(sessionmaker, now=NOW, recommender=flaky) == 1
    [emitted] = await all_rows(session, EmittedRecommendation)
    assert emitted.owner_id == bob.user.id
    assert "recommendation.due for user" in caplog.text
