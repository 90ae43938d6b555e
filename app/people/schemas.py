"""Interviewer and reference bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from app.core.examples import (
    INTERVIEWER_CREATE,
    INTERVIEWER_OUT,
    REFERENCE_CREATE,
    REFERENCE_OUT,
    examples,
)
from app.core.types import Email, InputModel, LongText, Name, PatchModel, Phone, ShortText, Url


class InterviewerFields(InputModel):
    title: ShortText | None = Field(default=None, examples=["Engineering Manager"])
    email: Email | None = None
    linkedin_url: Url | None = Field(default=None, examples=["https://www.linkedin.com/in/ada"])
    phone: Phone | None = None
    is_main_contact: bool = False
    notes: LongText | None = None


class InterviewerCreate(InterviewerFields):
    model_config = examples(INTERVIEWER_CREATE)

    name: Name


class InterviewerPatch(InterviewerFields, PatchModel):
    required_fields: ClassVar[frozenset[str]] = frozenset({"name", "is_main_contact"})

    name: Name | None = None
    is_main_contact: bool = False


class InterviewerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, **examples(INTERVIEWER_OUT))

    id: uuid.UUID
    application_id: uuid.UUID
    name: str
    title: str | None
    email: str | None
    linkedin_url: str | None
    phone: str | None
    is_main_contact: bool
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class ReferenceFields(InputModel):
    email: Email | None = None
    phone: Phone | None = None
    relationship: ShortText | None = Field(default=None, examples=["former manager"])
    company: ShortText | None = None
    title: ShortText | None = None
    notes: LongText | None = None


class ReferenceCreate(ReferenceFields):
    model_config = examples(REFERENCE_CREATE)

    name: Name


class ReferencePatch(ReferenceFields, PatchModel):
    required_fields: ClassVar[frozenset[str]] = frozenset({"name"})

    name: Name | None = None


class ReferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, **examples(REFERENCE_OUT))

    id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    relationship: str | None
    company: str | None
    title: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int
