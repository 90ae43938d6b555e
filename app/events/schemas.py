"""Follow-up event bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.examples import EVENT_CREATE, EVENT_OUT, EVENT_PATCH, examples
from app.core.types import InputModel, LongText, PatchModel, Timestamp
from app.models.enums import (
    ApplicationStatus,
    Channel,
    EventType,
    PostableEventType,
    ReplyResponse,
)


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
    model_config = examples(EVENT_CREATE)

    type: PostableEventType = Field(
        description="What happened. (`status_changed` events are written by the server only.)"
    )
    occurred_at: Timestamp | None = Field(
        default=None, description="Defaults to now; at most a minute in the future."
    )

    @model_validator(mode="after")
    def _response_only_on_replies(self) -> EventCreate:
        if self.response is not None and self.type != PostableEventType.reply_received:
            raise ValueError("response is only for reply_received events")
        return self


class EventPatch(EventFields, PatchModel):
    """What may change once recorded: never `type` (delete the event and record another)."""

    model_config = examples(EVENT_PATCH)
    required_fields: ClassVar[frozenset[str]] = frozenset({"occurred_at"})

    occurred_at: Timestamp | None = Field(default=None, description="At most a minute ahead.")

    @model_validator(mode="before")
    @classmethod
    def _type_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "type" in data:
            raise ValueError("type cannot be changed: delete the event and record another")
        return data


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, **examples(EVENT_OUT))

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
    from_status: ApplicationStatus | None = Field(
        description="On `status_changed`: the old status."
    )
    to_status: ApplicationStatus | None = Field(description="On `status_changed`: the new status.")
    created_at: datetime
    version: int
    warnings: list[str] = Field(
        default_factory=list,
        description="Why the policy would have advised against it (e.g. a status inquiry "
        "sent too soon). The event is recorded anyway.",
    )
