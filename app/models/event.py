"""Follow-up events: the timeline of what the user (or the server) did."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, UTCDateTime, utcnow
from app.models.enums import Channel, EventType, ReplyResponse, sql_in

if TYPE_CHECKING:
    from app.models.application import Application


class Event(IdMixin, Base):
    __tablename__ = "events"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Links outlive nothing: deleting the person or interview keeps the history.
    interviewer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("interviewers.id", ondelete="SET NULL")
    )
    interview_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL")
    )
    reference_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("references.id", ondelete="SET NULL")
    )
    channel: Mapped[str | None] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    # Set on status_changed events only.
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The server default fills in the rows that predate editing (see its migration).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    application: Mapped[Application] = relationship(back_populates="events", lazy="raise")

    __table_args__ = (
        CheckConstraint(f"type IN ({sql_in(EventType)})", name="type_valid"),
        CheckConstraint(f"channel IS NULL OR channel IN ({sql_in(Channel)})", name="channel_valid"),
        CheckConstraint(
            f"response IS NULL OR response IN ({sql_in(ReplyResponse)})", name="response_valid"
        ),
        Index("ix_events_application_id_occurred_at", "application_id", "occurred_at"),
        Index("ix_events_owner_id", "owner_id"),
        Index("ix_events_interviewer_id", "interviewer_id"),
        Index("ix_events_interview_id", "interview_id"),
        Index("ix_events_reference_id", "reference_id"),
    )
    __mapper_args__ = {"version_id_col": version}
