"""Application bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from app.core.examples import APPLICATION_CREATE, APPLICATION_OUT, APPLICATION_PATCH, examples
from app.core.types import (
    Day,
    Email,
    InputModel,
    LongText,
    Name,
    PatchModel,
    ShortText,
    Timestamp,
    Url,
)
from app.models import Application
from app.models.enums import ApplicationStatus


class ApplicationFields(InputModel):
    job_url: Url | None = None
    location: ShortText | None = Field(default=None, examples=["Berlin (hybrid)"])
    notes: LongText | None = None
    recruiter_name: Name | None = Field(default=None, examples=["Grace Hopper"])
    recruiter_email: Email | None = None
    expected_response_by: Day | None = Field(
        default=None, description="The specific day they said you would hear back."
    )
    follow_up_channel: ShortText | None = Field(
        default=None,
        description="Their answer to 'what's the best way to follow up?'",
        examples=["email the recruiter"],
    )
    second_round_expected: bool | None = Field(
        default=None, description="Their answer to 'will there be a second round?'"
    )
    references_requested_at: Timestamp | None = Field(
        default=None, description="When the company said it will check references."
    )
    external_id: ShortText | None = Field(
        default=None, description="Your own id for it (unique among your applications)."
    )


class ApplicationCreate(ApplicationFields):
    model_config = examples(APPLICATION_CREATE)

    company: Name = Field(examples=["Acme Corp"])
    role_title: Name = Field(examples=["Backend Engineer"])
    status: ApplicationStatus = ApplicationStatus.applied
    reference_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=100,
        description="Which of your references you gave this employer.",
    )


class ApplicationPatch(ApplicationFields, PatchModel):
    model_config = examples(APPLICATION_PATCH)

    required_fields: ClassVar[frozenset[str]] = frozenset(
        {"company", "role_title", "status", "reference_ids"}
    )

    company: Name | None = None
    role_title: Name | None = None
    status: ApplicationStatus | None = None
    reference_ids: list[uuid.UUID] | None = Field(default=None, max_length=100)


class ApplicationOut(BaseModel):
    model_config = examples(APPLICATION_OUT)

    id: uuid.UUID
    company: str
    role_title: str
    job_url: str | None
    location: str | None
    notes: str | None
    status: ApplicationStatus
    recruiter_name: str | None
    recruiter_email: str | None
    expected_response_by: date | None
    follow_up_channel: str | None
    second_round_expected: bool | None
    references_requested_at: datetime | None
    reference_ids: list[uuid.UUID]
    source: str = Field(description="`manual`, or the name of the integration it came from.")
    external_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, application: Application) -> ApplicationOut:
        """Needs `references` loaded (see service.load_options)."""
        return cls(
            **{
                name: getattr(application, name)
                for name in cls.model_fields
                if name != "reference_ids"
            },
            reference_ids=sorted((r.id for r in application.references), key=str),
        )
