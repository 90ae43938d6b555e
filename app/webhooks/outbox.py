"""The transactional outbox: record an event in the caller's transaction, never commit.

The event and one message per matching subscription are flushed with the change that
caused them, so they commit or roll back together: a crash after the commit loses
nothing (the worker finds the rows), and a change that rolled back sends nothing.
Users without a matching subscription pay one indexed query and get no rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import WebhookEvent, WebhookMessage, WebhookSubscription
from app.models.base import utcnow
from app.webhooks.event_types import EventType, subscribed


def webhook_id(message_id: uuid.UUID) -> str:
    """The `webhook-id` header of a message: stable across retries and redeliveries."""
    return f"msg_{message_id.hex}"


def render_body(event_type: EventType, data: BaseModel | Mapping[str, Any], at: datetime) -> str:
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return to_json({"type": event_type, "timestamp": at, "data": payload}).decode()


async def emit(
    session: AsyncSession,
    owner_id: uuid.UUID,
    event_type: EventType,
    data: BaseModel | Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> WebhookEvent | None:
    """Queue `event_type` for the owner's enabled subscriptions that want it."""
    subscriptions = await session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events).where(
            WebhookSubscription.owner_id == owner_id, WebhookSubscription.enabled.is_(True)
        )
    )
    matching = [id_ for id_, events in subscriptions if subscribed(events, event_type)]
    if not matching:
        return None
    return await enqueue(session, owner_id, event_type, data, matching, now=now)


async def enqueue(
    session: AsyncSession,
    owner_id: uuid.UUID,
    event_type: EventType,
    data: BaseModel | Mapping[str, Any],
    subscription_ids: Sequence[uuid.UUID],
    *,
    now: datetime | None = None,
) -> WebhookEvent:
    """Queue an event for exactly these subscriptions (the test event ignores filters)."""
    at = now or utcnow()
    event = WebhookEvent(
        id=uuid.uuid4(),
        owner_id=owner_id,
        type=event_type,
        body=render_body(event_type, data, at),
        created_at=at,
    )
    session.add(event)
    session.add_all(
        WebhookMessage(
            event_id=event.id,
            subscription_id=subscription_id,
            status="pending",
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        for subscription_id in subscription_ids
    )
    await session.flush()
    return event
