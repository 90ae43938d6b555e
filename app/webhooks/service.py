"""Webhook subscriptions, their delivery log, test events and redelivery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import apply_changes, get_owned
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.pagination import PageParams, paginate
from app.models import User, WebhookDelivery, WebhookEvent, WebhookMessage, WebhookSubscription
from app.models.base import utcnow
from app.notifications.recheck import reschedule_user
from app.webhooks.event_types import subscribed
from app.webhooks.outbox import enqueue
from app.webhooks.payloads import WebhookTest
from app.webhooks.schemas import WebhookCreate, WebhookPatch
from app.webhooks.signing import new_secret
from app.webhooks.targets import Resolver, UnsafeTarget, resolve_target, system_resolver

DISABLED_BY_OWNER = "Disabled by you."


async def check_url(url: str, *, allow_private: bool, resolver: Resolver) -> None:
    try:
        await resolve_target(url, allow_private=allow_private, resolver=resolver)
    except UnsafeTarget as exc:
        raise Unprocessable(str(exc), loc=["body", "url"]) from exc


async def get_subscription(
    session: AsyncSession, user_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription:
    return await get_owned(session, WebhookSubscription, user_id, subscription_id, "webhook")


async def list_subscriptions(
    session: AsyncSession, user: User, params: PageParams
) -> tuple[Sequence[WebhookSubscription], str | None]:
    return await paginate(
        session,
        select(WebhookSubscription).where(WebhookSubscription.owner_id == user.id),
        sort_column=WebhookSubscription.created_at,
        id_column=WebhookSubscription.id,
        params=params,
    )


async def create_subscription(
    session: AsyncSession,
    user: User,
    data: WebhookCreate,
    *,
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> WebhookSubscription:
    await check_url(data.url, allow_private=allow_private, resolver=resolver)
    subscription = WebhookSubscription(
        owner_id=user.id,
        url=data.url,
        events=data.events,
        description=data.description,
        secret=new_secret(),
        enabled=True,
    )
    session.add(subscription)
    await session.flush()
    await _reschedule_if_due_listener(session, subscription)
    return subscription


async def _reschedule_if_due_listener(
    session: AsyncSession, subscription: WebhookSubscription
) -> None:
    # A user with no mail wanted and no listener is never looked at; now they must be.
    if subscription.enabled and subscribed(subscription.events, "recommendation.due"):
        await reschedule_user(session, subscription.owner_id)


async def update_subscription(
    session: AsyncSession,
    subscription: WebhookSubscription,
    data: WebhookPatch,
    *,
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> WebhookSubscription:
    changes = data.changes()
    if "url" in changes:
        await check_url(changes["url"], allow_private=allow_private, resolver=resolver)
    enabled = changes.pop("enabled", None)
    if enabled is True and not subscription.enabled:
        # A fresh start: the five-day failure clock restarts with the next failure.
        subscription.enabled = True
        subscription.disabled_reason = None
        subscription.disabled_at = None
        subscription.failing_since = None
    elif enabled is False and subscription.enabled:
        subscription.enabled = False
        subscription.disabled_reason = DISABLED_BY_OWNER
        subscription.disabled_at = utcnow()
    apply_changes(subscription, changes)
    if data.model_fields_set:
        subscription.updated_at = utcnow()
    await session.flush()
    await _reschedule_if_due_listener(session, subscription)
    return subscription


async def delete_subscription(session: AsyncSession, subscription: WebhookSubscription) -> None:
    # Its queued messages and delivery log go with it (ON DELETE CASCADE).
    await session.delete(subscription)
    await session.flush()


async def send_test(
    session: AsyncSession, subscription: WebhookSubscription, *, now: datetime | None = None
) -> WebhookMessage:
    """Queue a `webhook.test` for this subscription, whatever its filter."""
    _require_enabled(subscription)
    data = WebhookTest(
        subscription_id=subscription.id, message="This is a test delivery from Followup."
    )
    event = await enqueue(
        session, subscription.owner_id, "webhook.test", data, [subscription.id], now=now
    )
    message = await session.scalar(
        select(WebhookMessage).where(WebhookMessage.event_id == event.id)
    )
    assert message is not None
    return message


async def list_deliveries(
    session: AsyncSession, subscription: WebhookSubscription, params: PageParams
) -> tuple[Sequence[WebhookDelivery], str | None]:
    return await paginate(
        session,
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id),
        sort_column=WebhookDelivery.created_at,
        id_column=WebhookDelivery.id,
        params=params,
    )


async def get_delivery(
    session: AsyncSession, user_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    delivery = await session.scalar(
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.id == delivery_id, WebhookSubscription.owner_id == user_id)
    )
    if delivery is None:
        raise NotFound("delivery")
    return delivery


async def redeliver(
    session: AsyncSession, delivery: WebhookDelivery, *, now: datetime | None = None
) -> tuple[WebhookMessage, str]:
    """Put the attempt's message back at the head of the queue, same `webhook-id`.

    A delivered or given-up message gets one more attempt; one still being retried is
    simply tried now instead of at its next scheduled time.
    """
    message, subscription, event_type = (
        await session.execute(
            select(WebhookMessage, WebhookSubscription, WebhookEvent.type)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookMessage.subscription_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookMessage.event_id)
            .where(WebhookMessage.id == delivery.message_id)
        )
    ).one()
    _require_enabled(subscription)
    message.status = "pending"
    # A message in flight keeps its lease: sending it twice at once would help no one.
    message.next_attempt_at = now or utcnow()
    await session.flush()
    return message, event_type


def _require_enabled(subscription: WebhookSubscription) -> None:
    if not subscription.enabled:
        raise Conflict(
            "This webhook is disabled: re-enable it (PATCH enabled=true) to send to it again."
        )
