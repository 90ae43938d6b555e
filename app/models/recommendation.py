"""What the user decided about a recommendation: dismissed for good, or snoozed until a time.

Recommendations themselves are never stored: the engine recomputes them from the data.
Their ids are stable while the situation is unchanged, so a decision keyed by id sticks
exactly as long as the situation it was about.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class RecommendationState(IdMixin, TimestampMixin, Base):
    __tablename__ = "recommendation_states"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recommendation_id: Mapped[str] = mapped_column(String(64))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("owner_id", "recommendation_id"),)
