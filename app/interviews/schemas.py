"""Interview bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, model_validator

from app.core.examples import INTERVIEW_CREATE, INTERVIEW_OUT, examples
from app.core.types import InputModel, LongText, PatchModel, Timestamp
from app.models import Interview
from app.models.enums import InterviewKind

Topics = Annotated[
    str,
    Field(
        max_length=2000,
        description="Something specific you discussed; the thank-you draft mentions it.",
        examples=["scaling the billing pipeline"],
    ),
]
MutualInterests = Annotated[
    str,
    Field(
        max_length=2000,
        description="An industry trend or article you both care about.",
        examples=["the new EU AI Act"],
    ),
]


class InterviewFields(InputModel):
    kind: InterviewKind | None = None
    round: int | None = Field(default=None, ge=1, le=100)
    topics: Topics | None = None
    mutual_interests: MutualInterests | None = None
    notes: LongText | None = None


class InterviewCreate(InterviewFields):
    model_config = examples(INTERVIEW_CREATE)

    starts_at: Timestamp
    ends_at: Timestamp | None = Field(default=None, description="Defaults to starts_at + 1 h.")
    interviewer_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="People of the same application."
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> InterviewCreate:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class InterviewPatch(InterviewFields, PatchModel):
    required_fields: ClassVar[frozenset[str]] = frozenset(
        {"starts_at", "ends_at", "interviewer_ids"}
    )

    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    interviewer_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)


class InterviewOut(BaseModel):
    model_config = examples(INTERVIEW_OUT)

    id: uuid.UUID
    application_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    kind: InterviewKind | None
    round: int | None
    interviewer_ids: list[uuid.UUID]
    topics: str | None
    mutual_interests: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, interview: Interview) -> InterviewOut:
        """Needs `interviewers` loaded."""
        return cls(
            **{n: getattr(interview, n) for n in cls.model_fields if n != "interviewer_ids"},
            interviewer_ids=sorted((i.id for i in interview.interviewers), key=str),
        )
