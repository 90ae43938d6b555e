"""Calendar feed bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CalendarFeedOut(BaseModel):
    url: str | None = Field(
        description="Subscribe to this URL in your calendar app. It is a secret: anyone "
        "with it can read your calendar. It is shown only now (null when the answer is "
        "replayed for a repeated `Idempotency-Key`); a new one replaces it.",
        examples=["https://followup.example.com/api/v1/calendar/feed/cal_3q2x….ics"],
    )
