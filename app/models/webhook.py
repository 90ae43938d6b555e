"""Outbound webhooks: subscriptions, the transactional outbox and the delivery log.

An `WebhookEvent` is written in the same transaction as the change it reports, with one
`WebhookMessage` per subscription it fans out to. A message is the unit of delivery (its
id is the `webhook-id` header, the same on every retry); each attempt to send it leaves
one `WebhookDelivery` row.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.encryption import EncryptedString
from app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

MESSAGE_STATUSES = ("pending", "delivered", "failed")


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_subscriptions"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    # Event type names, or ["*"] for all of them.
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(500))
    # Every delivery is signed with it (HMAC needs the key itself): encrypted, not hashed.
    secret: Mapped[str] = mapped_column(EncryptedString)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # First failed attempt since the last success: the clock for auto-disabling.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_webhook_subscriptions_owner_id_created_at", "owner_id", "created_at"),
    )


class WebhookEvent(IdMixin, Base):
    """The outbox: what happened, serialised once so every attempt sends the same bytes."""

    __tablename__ = "webhook_events"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_webhook_events_owner_id_created_at", "owner_id", "created_at"),)


class WebhookMessage(IdMixin, Base):
    """One event on its way to one subscription: the worker's queue."""

    __tablename__ = "webhook_messages"

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker's lease: until then the message is its own; after, anyone may take it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in MESSAGE_STATUSES) + ")",
            name="status_valid",
        ),
        Index("ix_webhook_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_messages_event_id", "event_id"),
        Index("ix_webhook_messages_subscription_id", "subscription_id"),
    )


class WebhookDelivery(IdMixin, Base):
    """One attempt to deliver a message, successful or not."""

    __tablename__ = "webhook_deliveries"

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_messages.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(1000))
    duration_ms: Mapped[int]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_webhook_deliveries_subscription_id_created_at", "subscription_id", "created_at"),
        Index("ix_webhook_deliveries_message_id", "message_id"),
    )


class EmittedRecommendation(IdMixin, Base):
    """`recommendation.due` was sent for this recommendation: never again, by any worker."""

    __tablename__ = "webhook_emitted_recommendations"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recommendation_id: Mapped[str] = mapped_column(String(64))
    emitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("owner_id", "recommendation_id"),)
