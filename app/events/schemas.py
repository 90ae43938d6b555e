"""Follow-up event bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.types import InputModel, LongText, PatchModel, Timestamp
from app.models.enums import SERVER_ONLY_EVENT_TYPES, Channel, EventType, ReplyResponse


class EventFields(InputModel):
    """What an event links to and says, on creation and in edits alike."""

    interviewer_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None
    reference_id: uuid.UUID | None = None
    channel: Channel | None = None
    response: ReplyResponse | None = Field(
        default=None, description="Only for `reply_received`: what they said."
    )
    notes: LongText | None = None


class EventCreate(EventFields):
    type: EventType = Field(description="`status_changed` is written by the server only.")
    occurred_at: Timestamp | None = Field(
        default=None, description="Defaults to now; at most a minute in the future."
    )

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


class EventPatch(EventFields, PatchModel):
    """What may change once recorded: never `type` (delete the event and record another)."""

    required_fields: ClassVar[frozenset[str]] = frozenset({"occurred_at"})

    occurred_at: Timestamp | None = Field(default=None, description="At most a minute ahead.")

    @model_validator(mode="before")
    @classmethod
    def _type_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "type" in data:
            raise ValueError("type cannot be changed: delete the event and record another")
        return data


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
    version: int
    warnings: list[str] = Field(
        default_factory=list,
        description="Why the policy would have advised against it (e.g. a status inquiry "
        "sent too soon). The event is recorded anyway.",
    )
