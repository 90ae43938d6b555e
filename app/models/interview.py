"""Interviews and the people met in them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime
from app.models.enums import InterviewKind, sql_in

if TYPE_CHECKING:
    from app.models.application import Application

interview_interviewers = Table(
    "interview_interviewers",
    Base.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("interviewer_id", ForeignKey("interviewers.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_interview_interviewers_interviewer_id", "interviewer_id"),
)


class Interview(IdMixin, TimestampMixin, Base):
    __tablename__ = "interviews"

    # owner_id is denormalised so every ownership check is one indexed lookup.
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str | None] = mapped_column(String(20))
    round: Mapped[int | None]
    topics: Mapped[str | None] = mapped_column(Text)
    mutual_interests: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[Application] = relationship(back_populates="interviews", lazy="raise")
    interviewers: Mapped[list[Interviewer]] = relationship(
        secondary=interview_interviewers, lazy="raise", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"kind IS NULL OR kind IN ({sql_in(InterviewKind)})", name="kind_valid"),
        CheckConstraint("round IS NULL OR round >= 1", name="round_positive"),
        Index("ix_interviews_application_id_starts_at", "application_id", "starts_at"),
        Index("ix_interviews_owner_id", "owner_id"),
    )


class Interviewer(IdMixin, TimestampMixin, Base):
    __tablename__ = "interviewers"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    linkedin_url: Mapped[str | None] = mapped_column(String(2048))
    phone: Mapped[str | None] = mapped_column(String(50))
    is_main_contact: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[Application] = relationship(back_populates="interviewers", lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_interviewers_application_id_created_at", "application_id", "created_at"),
        Index("ix_interviewers_owner_id", "owner_id"),
    )
