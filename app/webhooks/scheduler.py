"""`recommendation.due`: once per recommendation, when it becomes due.

The scheduler (app/scheduler.py) calls these for a user it has claimed, with the steps
due at that moment. Recommendations are computed, never stored, so "once" is kept in a
table of emitted (user, recommendation id) pairs with a unique constraint. The pair and
the outbox row are written in one transaction with INSERT ... ON CONFLICT DO NOTHING: a
restart finds the pair already there, and of two workers looking at once only one
inserts it (the other's insert waits for the first to commit, then does nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import EmittedRecommendation, WebhookSubscription
from app.policy import Recommendation
from app.recommendations.schemas import RecommendationOut
from app.webhooks.event_types import EventType, subscribed
from app.webhooks.outbox import emit

EVENT: EventType = "recommendation.due"


async def listening_for_due(
    session: AsyncSession, owner_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of these users with an enabled subscription to recommendation.due."""
    rows = await session.execute(
        select(WebhookSubscription.owner_id, WebhookSubscription.events).where(
            WebhookSubscription.owner_id.in_(owner_ids), WebhookSubscription.enabled.is_(True)
        )
    )
    return {owner for owner, events in rows if subscribed(events, EVENT)}


async def emit_due(
    session: AsyncSession, owner_id: uuid.UUID, due: Sequence[Recommendation], now: datetime
) -> int:
    """Queue `recommendation.due` for those of `due` not yet emitted; how many were."""
    if not due:
        return 0
    new_ids = await _claim(session, owner_id, [rec.id for rec in due], now)
    for rec in due:
        if rec.id in new_ids:
            await emit(session, owner_id, EVENT, RecommendationOut.of(rec), now=now)
    return len(new_ids)


async def _claim(
    session: AsyncSession, owner_id: uuid.UUID, recommendation_ids: Sequence[str], now: datetime
) -> set[str]:
    """Record these as emitted; the ones this call recorded (not already there)."""
    # Both dialects spell "insert unless already there" the same way, each its own insert.
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    rows = [
        {"id": uuid.uuid4(), "owner_id": owner_id, "recommendation_id": rec_id, "emitted_at": now}
        for rec_id in dict.fromkeys(recommendation_ids)
    ]
    stmt = (
        insert(EmittedRecommendation)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["owner_id", "recommendation_id"])
        .returning(EmittedRecommendation.recommendation_id)
    )
    return set((await session.scalars(stmt)).all())
