"""Recommendation bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.applications.schemas import ApplicationOut
from app.core.types import InputModel, LongText, Timestamp
from app.events.schemas import EventOut
from app.models.enums import ApplicationStatus, Channel, PostableEventType
from app.policy import Recommendation
from app.policy.outputs import Priority, RuleName


class DraftOut(BaseModel):
    subject: str | None = Field(description="Email subject, when the channel has one.")
    body: str = Field(description="Ready to send; edit as you like.")


class CompletionOut(BaseModel):
    """What `POST /recommendations/{id}/complete` will do."""

    kind: Literal["event", "status", "manual"] = Field(
        description="`event`: records an event; `status`: changes the application's status; "
        "`manual`: can't be done in one click (see `hint`)."
    )
    event_type: PostableEventType | None = Field(
        default=None, description="For `event`: the type of event it records."
    )
    status: ApplicationStatus | None = Field(
        default=None, description="For `status`: the status it sets."
    )
    hint: str | None = Field(default=None, description="What to do, for `manual` steps.")


class RecommendationOut(BaseModel):
    id: str = Field(
        description="Stable while the situation is unchanged.", examples=["rec_3f2a9c0d1e4b"]
    )
    rule: RuleName = Field(examples=["send_thank_you_email"])
    title: str = Field(examples=["Send a thank-you email to Grace Hopper"])
    rationale: str = Field(description="Why, in one or two plain sentences.")
    application_id: uuid.UUID | None = Field(description="Null only for `keep_applying`.")
    interview_id: uuid.UUID | None
    interviewer_id: uuid.UUID | None
    reference_id: uuid.UUID | None
    due_at: datetime
    overdue: bool = Field(description="as_of is past due_at.")
    priority: Priority
    channel: Channel | None = Field(examples=["email"])
    draft: DraftOut | None
    completion: CompletionOut

    @classmethod
    def of(cls, rec: Recommendation) -> RecommendationOut:
        return cls.model_validate(recommendation_json(rec))


def recommendation_json(rec: Recommendation) -> dict[str, Any]:
    """The RecommendationOut shape as plain data, cheap enough for thousands per request."""
    draft = rec.draft
    completion = rec.completion
    return {
        "id": rec.id,
        "rule": rec.rule,
        "title": rec.title,
        "rationale": rec.rationale,
        "application_id": rec.application_id,
        "interview_id": rec.interview_id,
        "interviewer_id": rec.interviewer_id,
        "reference_id": rec.reference_id,
        "due_at": rec.due_at,
        "overdue": rec.overdue,
        "priority": rec.priority,
        "channel": rec.channel,
        "draft": None if draft is None else {"subject": draft.subject, "body": draft.body},
        "completion": {
            "kind": completion.kind,
            "event_type": completion.event_type,
            "status": completion.status,
            "hint": completion.hint,
        },
    }


class RecommendationList(BaseModel):
    as_of: datetime
    items: list[RecommendationOut]


class CompleteIn(InputModel):
    occurred_at: Timestamp | None = Field(
        default=None, description="When you did it; defaults to now."
    )
    notes: LongText | None = None


class Completed(BaseModel):
    recommendation_id: str
    event: EventOut | None = Field(description="The event recorded, if completing records one.")
    application: ApplicationOut | None = Field(
        description="The application, when completing changed its status."
    )


class SnoozeIn(InputModel):
    until: Timestamp = Field(description="Hidden while as_of is before this time.")
