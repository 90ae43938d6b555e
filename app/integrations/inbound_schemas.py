"""The inbound event types and their `data` (docs/webhooks.md, "Inbound").

ATS relays forward whatever their source sends, so unknown keys are ignored; the
documented ones are required and validated like the API's own fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from app.core.types import Email, Name, ShortText, TextInput, Timestamp, Url
from app.models.enums import ApplicationStatus, InterviewKind

InboundType = Literal[
    "application.upserted",
    "interview.scheduled",
    "interview.cancelled",
    "application.stage_changed",
    "application.rejected",
    "offer.extended",
    "references.requested",
]
INBOUND_TYPES: tuple[InboundType, ...] = get_args(InboundType)

ExternalId = Annotated[
    str,
    Field(min_length=1, max_length=200, description="The tool's own id for it."),
]


class Lenient(TextInput):
    model_config = ConfigDict(extra="ignore")


class ApplicationRef(Lenient):
    """Upserted by external_id; company and role_title are needed the first time."""

    # Its fields go into ApplicationCreate and ApplicationPatch by name (apply.py). These
    # are ApplicationCreate's other fields, which an event can't set, and why.
    not_sent: ClassVar[Mapping[str, str]] = {
        "location": "not in the `application` object docs/webhooks.md documents",
        "notes": "the user's own notes",
        "expected_response_by": "what the employer told the user; the tool doesn't know",
        "follow_up_channel": "what the employer told the user; the tool doesn't know",
        "second_round_expected": "what the employer told the user; the tool doesn't know",
        "references_requested_at": "set by a references.requested event",
        "status": "set by the event's type (or a stage_changed event's status)",
        "reference_ids": "which references the user gave is the user's to say",
    }

    external_id: ExternalId
    company: Name | None = None
    role_title: Name | None = None
    job_url: Url | None = None
    recruiter_name: Name | None = None
    recruiter_email: Email | None = None


class PersonRef(Lenient):
    """Matched to the application's interviewers by email, else by name."""

    name: Name
    title: ShortText | None = None
    email: Email | None = None


class InterviewRef(Lenient):
    external_id: ExternalId
    starts_at: Timestamp
    ends_at: Timestamp | None = Field(default=None, description="Defaults to starts_at + 1 h.")
    kind: InterviewKind | None = None
    interviewers: list[PersonRef] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _ends_after_start(self) -> InterviewRef:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CancelledInterviewRef(Lenient):
    external_id: ExternalId


class ApplicationData(Lenient):
    application: ApplicationRef


class InterviewScheduledData(ApplicationData):
    interview: InterviewRef


class InterviewCancelledData(ApplicationData):
    interview: CancelledInterviewRef


class StageChangedData(ApplicationData):
    status: ApplicationStatus


class ReferencesRequestedData(ApplicationData):
    requested_at: Timestamp | None = Field(
        default=None, description="When they will check references; defaults to now."
    )


DATA_MODELS: dict[InboundType, type[ApplicationData]] = {
    "application.upserted": ApplicationData,
    "interview.scheduled": InterviewScheduledData,
    "interview.cancelled": InterviewCancelledData,
    "application.stage_changed": StageChangedData,
    "application.rejected": ApplicationData,
    "offer.extended": ApplicationData,
    "references.requested": ReferencesRequestedData,
}


class InboundEnvelope(Lenient):
    """`{"type", "timestamp", "data"}`, as Standard Webhooks payloads are shaped."""

    type: InboundType
    timestamp: Timestamp | None = None
    data: dict[str, Any]
