"""Follow-up event bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.types import InputModel, LongText, Timestamp
from app.models.enums import SERVER_ONLY_EVENT_TYPES, Channel, EventType, ReplyResponse


class EventCreate(InputModel):
    type: EventType = Field(description="`status_changed` is written by the server only.")
    occurred_at: Timestamp | None = Field(
        default=None, description="Defaults to now; at most a minute in the future."
    )
    interviewer_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None
    reference_id: uuid.UUID | None = None
    channel: Channel | None = None
    response: ReplyResponse | None = Field(
        default=None, description="Only for `reply_received`: what they said."
    )
    notes: LongText | None = None

    @field_validator("type")
    @classmethod
    def _not_server_only(cls, value: EventType) -> EventType:
        if value in SERVER_ONLY_EVENT_TYPES:
            raise ValueError(f"'{value}' events are recorded by the server, not posted")
        return value

    @model_validator(mode="after")
    def _response_only_on_replies(self) -> EventCreate:
        if self.response is not None and self.type != EventType.reply_received:
            raise ValueError("response is only for reply_received events")
        return self


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    application_id: uuid.UUID
    type: EventType
    occurred_at: datetime
    interviewer_id: uuid.UUID | None
    interview_id: uuid.UUID | None
    reference_id: uuid.UUID | None
    channel: Channel | None
    response: ReplyResponse | None
    notes: str | None
    from_status: str | None = Field(description="On `status_changed`: the old status.")
    to_status: str | None = Field(description="On `status_changed`: the new status.")
    created_at: datetime
    warnings: list[str] = Field(
        default_factory=list,
        description="Why the policy would have advised against it (e.g. a status inquiry "
        "sent too soon). The event is recorded anyway.",
    )
