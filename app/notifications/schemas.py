"""Request and response bodies for /me/notifications."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.types import InputModel

DigestTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="HH:MM on the user's clock (their timezone).", examples=["08:00"]),
]


class NotificationSettings(InputModel):
    """Which mail the user gets. Every field may be left out: it then takes its default."""

    digest: bool = Field(
        default=True,
        description="A morning email on days something is overdue, due today or tomorrow.",
    )
    digest_time: DigestTime = "08:00"
    alerts: bool = Field(
        default=True, description="An email when a high-priority step becomes due."
    )


class NotificationSettingsOut(BaseModel):
    """Which mail the user gets: the daily digest (and when), and due-now alerts."""

    model_config = ConfigDict(from_attributes=True)

    digest: bool
    digest_time: str = Field(examples=["08:00"])
    alerts: bool


class TestMailQueued(BaseModel):
    """The test digest is queued; the worker sends it within seconds."""

    message_id: uuid.UUID
    steps: int = Field(description="How many steps it lists (0: it says nothing is due).")
