"""Inbound integrations: ATS-like tools that push signed events into a user's account."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.encryption import EncryptedString
from app.models.base import Base, IdMixin, UTCDateTime, utcnow


class Integration(IdMixin, Base):
    __tablename__ = "integrations"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Also the `source` of the applications it creates, hence unique per user.
    name: Mapped[str] = mapped_column(String(100))
    # Verifying an HMAC needs the key itself: encrypted, not hashed.
    secret: Mapped[str] = mapped_column(EncryptedString)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        Index("ix_integrations_owner_id_created_at", "owner_id", "created_at"),
    )


class InboundMessage(IdMixin, Base):
    """An accepted inbound event; its `webhook-id` is what makes a replay a no-op."""

    __tablename__ = "integration_messages"

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    webhook_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("integration_id", "webhook_id"),)


class ExternalInterview(IdMixin, Base):
    """Which interview an integration's interview id stands for."""

    __tablename__ = "integration_interviews"

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    external_id: Mapped[str] = mapped_column(String(200))
    interview_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))

    __table_args__ = (
        UniqueConstraint("integration_id", "external_id"),
        Index("ix_integration_interviews_interview_id", "interview_id"),
    )
