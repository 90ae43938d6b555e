"""`recommendation.due`: once per recommendation, when it becomes due (docs/webhooks.md).

The scheduler's tick (app/scheduler.py) emits them for the users it claims."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.models import Application, EmittedRecommendation, User, WebhookEvent
from app.models.base import utcnow
from app.policy import Completion, Recommendation
from app.policy.horizon import JUST_AFTER
from app.recommendations.cache import Steps, Version
from app.recommendations.schemas import RecommendationOut
from app.recommendations.service import list_recommendations
from app.scheduler import RETRY_AFTER, run_tick
from tests.factories import UserWithToken, create_interview
from tests.webhooks.helpers import WorkerPass, all_rows, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
NOW = utcnow()


def _rec(rec_id: str, due_at: datetime) -> Recommendation:
    return Recommendation(
        id=rec_id,
        # Not keep_applying: the scheduler re-dates that one to as_of, as the API does.
        rule="send_status_inquiry",
        title="Ask about the status",
        rationale="A silent week is when one polite nudge is right.",
        application_id=None,
        interview_id=None,
        interviewer_id=None,
        reference_id=None,
        due_at=due_at,
        overdue=False,
        priority="low",
        channel=None,
        draft=None,
        completion=Completion(kind="manual", hint="Send the inquiry."),
    )


class FakeRecommender:
    """open_steps' shape: these steps, holding until the next of them falls due."""

    def __init__(self, *recs: Recommendation) -> None:
        self.recs = list(recs)
        self.calls: list[tuple[User, datetime]] = []

    async def __call__(self, session: AsyncSession, user: User, as_of: datetime) -> Steps:
        self.calls.append((user, as_of))
        visible = [replace(r, overdue=as_of > r.due_at) for r in self.recs]
        changes = [r.due_at + JUST_AFTER for r in self.recs if r.due_at + JUST_AFTER > as_of]
        end = min(changes, default=as_of + timedelta(days=1))
        return Steps(Version(user.data_version, user.name, user.timezone), as_of, end, visible, [])


async def _emitted(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    recommender: FakeRecommender | None = None,
) -> int:
    if recommender is None:
        return (await run_tick(sessionmaker, settings, now=now)).webhooks
    return (await run_tick(sessionmaker, settings, now=now, recommender=recommender)).webhooks


async def test_due_recommendations_are_emitted_once_and_delivered(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    session: AsyncSession,
    application: Application,
    worker_pass: WorkerPass,
) -> None:
    await create_interview(session, application)  # ended an hour ago, nobody recorded
    await subscribe(local_client, alice, receiver.url(), ["recommendation.due"])
    now = utcnow()
    due = [r for r in await list_recommendations(session, alice.user, as_of=now) if r.due_at <= now]
    assert due  # the engine has something due for this situation

    assert await _emitted(sessionmaker, settings, now) == len(due)
    # A second look (or a restart) finds nothing new.
    assert await _emitted(sessionmaker, settings, now + timedelta(minutes=1)) == 0
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
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    recommender = FakeRecommender(
        _rec("rec_past", NOW - timedelta(hours=1)),
        _rec("rec_now", NOW),
        _rec("rec_later", NOW + timedelta(hours=2)),
    )

    assert await _emitted(sessionmaker, settings, NOW, recommender) == 2
    assert await _emitted(sessionmaker, settings, NOW, recommender) == 0
    # rec_now turns overdue just after NOW: one look, nothing new to emit; then nothing
    # changes until rec_later falls due, and the user isn't even looked at.
    assert await _emitted(sessionmaker, settings, NOW + timedelta(hours=1), recommender) == 0
    calls = len(recommender.calls)
    assert await _emitted(sessionmaker, settings, NOW + timedelta(hours=1.5), recommender) == 0
    assert len(recommender.calls) == calls
    later = NOW + timedelta(hours=3)
    assert await _emitted(sessionmaker, settings, later, recommender) == 1

    events = await all_rows(session, WebhookEvent)
    ids = sorted(json.loads(e.body)["data"]["id"] for e in events)
    assert ids == ["rec_later", "rec_now", "rec_past"]
    assert {e.type for e in events} == {"recommendation.due"}


async def test_users_who_want_nothing_cost_nothing(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    session: AsyncSession,
) -> None:
    await subscribe(local_client, alice, receiver.url(), ["application.created"])
    hook = await subscribe(local_client, bob, receiver.url())
    await local_client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"enabled": False}, headers=bob.headers
    )
    for user in (alice.user, bob.user):
        user.notify_digest = user.notify_alerts = False  # and no mail either
    await session.commit()
    recommender = FakeRecommender(_rec("rec_1", NOW - timedelta(hours=1)))

    assert await _emitted(sessionmaker, settings, NOW, recommender) == 0
    assert recommender.calls == []
    assert await all_rows(session, EmittedRecommendation) == []
    for user in (alice.user, bob.user):
        await session.refresh(user)
        assert user.next_check_at is None  # never looked at again, until something changes


async def test_one_users_failure_does_not_stop_the_others(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    session: AsyncSession,
    hook: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(local_client, bob, receiver.url())
    fine = FakeRecommender(_rec("rec_1", NOW - timedelta(hours=1)))

    async def flaky(session: AsyncSession, user: User, as_of: datetime) -> Steps:
        if user.id == alice.user.id:
            raise RuntimeError("boom")
        return await fine(session, user, as_of)

    result = await run_tick(sessionmaker, settings, now=NOW, recommender=flaky)
    assert (result.webhooks, result.failed) == (1, 1)
    [emitted] = await all_rows(session, EmittedRecommendation)
    assert emitted.owner_id == bob.user.id
    assert f"scheduling user {alice.user.id} failed" in caplog.text
    await session.refresh(alice.user)
    assert alice.user.next_check_at == NOW + RETRY_AFTER  # looked at again soon
