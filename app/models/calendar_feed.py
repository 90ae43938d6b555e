"""The secret calendar feed URL: one per user, only its hash kept."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, UTCDateTime, utcnow


class CalendarFeed(IdMixin, Base):
    """A calendar app subscribes to a URL it cannot send headers with, so the URL's
    secret is the credential. Like API tokens, only its SHA-256 is stored; a new
    secret replaces the row, so the old URL stops working at once."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
