"""Follow-up event bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.examples import EVENT_CREATE, EVENT_OUT, examples
from app.core.types import InputModel, LongText, Timestamp
from app.models.enums import (
    ApplicationStatus,
    Channel,
    EventType,
    PostableEventType,
    ReplyResponse,
)


class EventCreate(InputModel):
    model_config = examples(EVENT_CREATE)

    type: PostableEventType = Field(
        description="What happened. (`status_changed` events are written by the server only.)"
    )
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

    @model_validator(mode="after")
    def _response_only_on_replies(self) -> EventCreate:
        if self.response is not None and self.type != PostableEventType.reply_received:
            raise ValueError("response is only for reply_received events")
        return self


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
    warnings: list[str] = Field(
        default_factory=list,
        description="Why the policy would have advised against it (e.g. a status inquiry "
        "sent too soon). The event is recorded anyway.",
    )
