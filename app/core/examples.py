"""Examples of the main resources, shown in the schema on request and response bodies.

One consistent story (Ada applies to Acme Corp, meets Grace Hopper, thanks her), so a
reader of the docs can follow ids from one body to the next. Request examples carry no
ids of other resources: a fuzzer or a reader replaying them must get a 2xx.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

APPLICATION_ID = "5b0f4c1e-8d3a-4f6e-9a2b-7c1d0e9f8a61"
INTERVIEW_ID = "0c7e2a94-3b1f-4d58-8e6a-2f9b1c7d4e03"
INTERVIEWER_ID = "9a3d6f12-7e4b-4c0a-b5d8-1e2f3a4b5c6d"
REFERENCE_ID = "2e4f6a8c-1b3d-4e5f-9a7b-8c9d0e1f2a3b"
EVENT_ID = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
CREATED = "2026-03-02T09:15:00Z"


def examples(*values: dict[str, Any]) -> ConfigDict:
    """The model_config that puts these examples in the model's schema."""
    return ConfigDict(json_schema_extra={"examples": list(values)})


APPLICATION_CREATE: dict[str, Any] = {
    "company": "Acme Corp",
    "role_title": "Backend Engineer",
    "job_url": "https://acme.example.com/jobs/123",
    "location": "Berlin (hybrid)",
    "recruiter_name": "Grace Hopper",
    "recruiter_email": "grace@acme.example.com",
}
APPLICATION_PATCH = {"expected_response_by": "2026-03-13", "second_round_expected": True}
APPLICATION_OUT: dict[str, Any] = {
    "id": APPLICATION_ID,
    **APPLICATION_CREATE,
    "notes": None,
    "status": "interviewing",
    "expected_response_by": "2026-03-13",
    "follow_up_channel": "email the recruiter",
    "second_round_expected": True,
    "references_requested_at": None,
    "reference_ids": [],
    "source": "manual",
    "external_id": None,
    "created_at": CREATED,
    "updated_at": "2026-03-05T16:40:00Z",
    "version": 3,
}

INTERVIEW_CREATE: dict[str, Any] = {
    "starts_at": "2026-03-05T14:00:00+01:00",
    "ends_at": "2026-03-05T15:00:00+01:00",
    "kind": "video",
    "round": 1,
    "topics": "scaling the billing pipeline",
}
INTERVIEW_OUT: dict[str, Any] = {
    "id": INTERVIEW_ID,
    "application_id": APPLICATION_ID,
    **INTERVIEW_CREATE,
    "starts_at": "2026-03-05T13:00:00Z",
    "ends_at": "2026-03-05T14:00:00Z",
    "interviewer_ids": [INTERVIEWER_ID],
    "mutual_interests": None,
    "notes": None,
    "created_at": CREATED,
    "updated_at": CREATED,
    "version": 1,
}

INTERVIEWER_CREATE: dict[str, Any] = {
    "name": "Grace Hopper",
    "title": "Engineering Manager",
    "email": "grace@acme.example.com",
    "linkedin_url": "https://www.linkedin.com/in/grace",
    "is_main_contact": True,
}
INTERVIEWER_OUT: dict[str, Any] = {
    "id": INTERVIEWER_ID,
    "application_id": APPLICATION_ID,
    **INTERVIEWER_CREATE,
    "phone": None,
    "notes": None,
    "created_at": CREATED,
    "updated_at": CREATED,
    "version": 1,
}

REFERENCE_CREATE: dict[str, Any] = {
    "name": "Margaret Hamilton",
    "email": "margaret@example.com",
    "relationship": "former manager",
    "company": "Initech",
}
REFERENCE_OUT: dict[str, Any] = {
    "id": REFERENCE_ID,
    **REFERENCE_CREATE,
    "phone": None,
    "title": None,
    "notes": None,
    "created_at": CREATED,
    "updated_at": CREATED,
    "version": 1,
}

EVENT_CREATE: dict[str, Any] = {
    "type": "thank_you_email",
    "occurred_at": "2026-03-05T18:30:00+01:00",
    "channel": "email",
    "notes": "Mentioned the billing pipeline again.",
}
EVENT_OUT: dict[str, Any] = {
    "id": EVENT_ID,
    "application_id": APPLICATION_ID,
    **EVENT_CREATE,
    "occurred_at": "2026-03-05T17:30:00Z",
    "interviewer_id": INTERVIEWER_ID,
    "interview_id": INTERVIEW_ID,
    "reference_id": None,
    "response": None,
    "from_status": None,
    "to_status": None,
    "created_at": "2026-03-05T17:30:02Z",
    "warnings": [],
}

# FastAPI drops every null from the schema it renders, examples' nulls included, which
# leaves response examples without their required fields; polish puts them back whole.
BY_SCHEMA: dict[str, dict[str, Any]] = {
    "ApplicationCreate": APPLICATION_CREATE,
    "ApplicationPatch": APPLICATION_PATCH,
    "ApplicationOut": APPLICATION_OUT,
    "InterviewCreate": INTERVIEW_CREATE,
    "InterviewOut": INTERVIEW_OUT,
    "InterviewerCreate": INTERVIEWER_CREATE,
    "InterviewerOut": INTERVIEWER_OUT,
    "ReferenceCreate": REFERENCE_CREATE,
    "ReferenceOut": REFERENCE_OUT,
    "EventCreate": EVENT_CREATE,
    "EventOut": EVENT_OUT,
}
