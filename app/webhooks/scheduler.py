"""`recommendation.due`: once per recommendation, when it becomes due.

Recommendations are computed, never stored, so "once" is kept in a table of emitted
(user, recommendation id) pairs with a unique constraint. The pair and the outbox row
are written in one transaction with INSERT ... ON CONFLICT DO NOTHING: a restart finds
the pair already there, and of two workers looking at once only one inserts it (the
other's insert waits for the first to commit, then does nothing).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import EmittedRecommendation, User, WebhookSubscription
from app.policy import Recommendation
from app.recommendations.schemas import RecommendationOut
from app.recommendations.service import list_recommendations
from app.webhooks.event_types import subscribed
from app.webhooks.outbox import emit

logger = logging.getLogger("followup.scheduler")


class Recommender(Protocol):
    """list_recommendations' shape: open steps (dismissed and snoozed ones hidden)."""

    def __call__(
        self, session: AsyncSession, user: User, *, as_of: datetime
    ) -> Awaitable[list[Recommendation]]: ...


async def run_scheduler_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    recommender: Recommender = list_recommendations,
) -> int:
    """Emit `recommendation.due` for every newly due one; how many were emitted."""
    async with sessionmaker() as session:
        owner_ids = await _listening_users(session)
    emitted = 0
    for owner_id in owner_ids:
        # One transaction per user: one user's trouble doesn't hold up the others.
        try:
            async with sessionmaker() as session:
                emitted += await _emit_due(session, owner_id, now, recommender)
                await session.commit()
        except Exception:
            logger.exception("recommendation.due for user %s failed", owner_id)
    return emitted


async def _listening_users(session: AsyncSession) -> list[uuid.UUID]:
    """Users with an enabled subscription to recommendation.due: nobody else costs a thing."""
    rows = await session.execute(
        select(WebhookSubscription.owner_id, WebhookSubscription.events).where(
            WebhookSubscription.enabled.is_(True)
        )
    )
    return sorted({owner for owner, events in rows if subscribed(events, "recommendation.due")})


async def _emit_due(
    session: AsyncSession, owner_id: uuid.UUID, now: datetime, recommender: Recommender
) -> int:
    user = await session.get_one(User, owner_id)
    due = [rec for rec in await recommender(session, user, as_of=now) if rec.due_at <= now]
    if not due:
        return 0
    new_ids = await _claim(session, owner_id, [rec.id for rec in due], now)
    for rec in due:
        if rec.id in new_ids:
            await emit(session, owner_id, "recommendation.due", RecommendationOut.of(rec), now=now)
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
