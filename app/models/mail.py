"""Outgoing mail: the queue the worker sends from, and the log of every attempt.

A `MailMessage` holds the finished message (headers and body, Message-ID included), built
in the transaction that decided to send it, so every attempt sends the same bytes. Its
`dedupe_key` ("digest:2026-12-08", "alert:<step id>") is unique per user: the row is the
claim that the mail was decided, so no restart or second worker decides it again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, UTCDateTime, utcnow

MAIL_KINDS = ("digest", "alert", "test")
MAIL_STATUSES = ("pending", "sent", "failed")


class MailMessage(IdMixin, Base):
    __tablename__ = "mail_messages"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # NULL for test mails: any number of those may be sent.
    dedupe_key: Mapped[str | None] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker's lease: until then the message is its own; after, anyone may take it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in MAIL_STATUSES) + ")", name="status_valid"
        ),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in MAIL_KINDS) + ")", name="kind_valid"
        ),
        Index("ix_mail_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )


class MailAttempt(IdMixin, Base):
    """One try at handing a message to the mail server, successful or not."""

    __tablename__ = "mail_attempts"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mail_messages.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(1000))
    duration_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_mail_attempts_user_id_created_at", "user_id", "created_at"),
        Index("ix_mail_attempts_message_id", "message_id"),
    )
