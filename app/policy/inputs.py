"""Plain-data inputs of the policy engine.

The API layer builds these from database rows. They are deliberately free of ORM objects so the
engine stays a pure function that tests can drive with literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PersonIn:
    """Someone who interviewed the user for one application."""

    id: str
    name: str
    title: str | None
    email: str | None
    linkedin_url: str | None
    is_main_contact: bool


@dataclass(frozen=True, slots=True)
class InterviewIn:
    id: str
    starts_at: datetime
    ends_at: datetime
    kind: str | None
    round: int | None
    interviewer_ids: tuple[str, ...]
    topics: str | None
    mutual_interests: str | None


@dataclass(frozen=True, slots=True)
class EventIn:
    id: str
    type: str
    occurred_at: datetime
    interviewer_id: str | None
    interview_id: str | None
    reference_id: str | None
    channel: str | None
    response: str | None
    to_status: str | None  # for type == "status_changed": the new status, else None


@dataclass(frozen=True, slots=True)
class ReferenceIn:
    id: str
    name: str
    email: str | None
    relationship: str | None
    company: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class ApplicationIn:
    id: str
    company: str
    role_title: str
    status: str
    created_at: datetime
    recruiter_name: str | None
    recruiter_email: str | None
    expected_response_by: date | None
    follow_up_channel: str | None
    second_round_expected: bool | None
    references_requested_at: datetime | None
    reference_ids: tuple[str, ...]
    interviews: tuple[InterviewIn, ...]
    interviewers: tuple[PersonIn, ...]
    events: tuple[EventIn, ...]


@dataclass(frozen=True, slots=True)
class UserIn:
    name: str
    timezone: str  # IANA name, e.g. "Europe/Berlin"
