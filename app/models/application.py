"""The application aggregate: an application with its interviews, people and events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime
from app.models.enums import ApplicationStatus, sql_in

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.interview import Interview, Interviewer
    from app.models.reference import Reference

application_references = Table(
    "application_references",
    Base.metadata,
    Column(
        "application_id",
        ForeignKey("applications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("reference_id", ForeignKey("references.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_application_references_reference_id", "reference_id"),
)


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "applications"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(200))
    job_url: Mapped[str | None] = mapped_column(String(2048))
    location: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.applied.value)
    recruiter_name: Mapped[str | None] = mapped_column(String(200))
    recruiter_email: Mapped[str | None] = mapped_column(String(320))
    expected_response_by: Mapped[date | None]
    follow_up_channel: Mapped[str | None] = mapped_column(String(200))
    second_round_expected: Mapped[bool | None]
    references_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(100), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)

    interviews: Mapped[list[Interview]] = relationship(
        back_populates="application", lazy="raise", passive_deletes=True
    )
    interviewers: Mapped[list[Interviewer]] = relationship(
        back_populates="application", lazy="raise", passive_deletes=True
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="application", lazy="raise", passive_deletes=True
    )
    references: Mapped[list[Reference]] = relationship(
        secondary=application_references, lazy="raise", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(ApplicationStatus)})", name="status_valid"),
        UniqueConstraint("owner_id", "source", "external_id"),
        Index("ix_applications_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_applications_owner_id_updated_at", "owner_id", "updated_at"),
    )
