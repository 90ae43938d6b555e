"""Readable builders for policy-engine inputs, and a helper that applies a Completion.

Every builder has defaults for a plausible interview loop, so a test only spells out what
its case is about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from app.policy import (
    ApplicationIn,
    EventIn,
    InterviewIn,
    PersonIn,
    Recommendation,
    ReferenceIn,
    UserIn,
    recommend,
)

# Monday 3 March 2025, 14:00 UTC: a plausible interview slot, far from any DST change.
T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
SECOND = timedelta(seconds=1)


def person(
    id: str = "p1",
    name: str = "Jane Doe",
    *,
    title: str | None = "Engineering Manager",
    email: str | None = "jane@acme.example",
    linkedin_url: str | None = None,
    main: bool = False,
) -> PersonIn:
    return PersonIn(id, name, title, email, linkedin_url, main)


def interview(
    id: str = "i1",
    *,
    starts_at: datetime = T0,
    duration: timedelta = HOUR,
    interviewers: Sequence[str] = ("p1",),
    kind: str | None = "video",
    round: int | None = 1,
    topics: str | None = None,
    mutual_interests: str | None = None,
) -> InterviewIn:
    return InterviewIn(
        id=id,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        kind=kind,
        round=round,
        interviewer_ids=tuple(interviewers),
        topics=topics,
        mutual_interests=mutual_interests,
    )


def event(
    type: str,
    occurred_at: datetime,
    *,
    id: str | None = None,
    interviewer: str | None = None,
    interview: str | None = None,
    reference: str | None = None,
    channel: str | None = None,
    response: str | None = None,
    to_status: str | None = None,
) -> EventIn:
    # A readable, deterministic id: unique as long as a test doesn't log the same thing twice
    # at the same instant.
    stamp = occurred_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    default_id = f"e-{type}-{stamp}-{interviewer or ''}{interview or ''}{reference or ''}"
    return EventIn(
        id=id or default_id,
        type=type,
        occurred_at=occurred_at,
        interviewer_id=interviewer,
        interview_id=interview,
        reference_id=reference,
        channel=channel,
        response=response,
        to_status=to_status,
    )


def application(
    id: str = "a1",
    *,
    company: str = "Acme",
    role_title: str = "Backend Engineer",
    status: str = "interviewing",
    created_at: datetime = T0 - 30 * DAY,
    recruiter_name: str | None = None,
    recruiter_email: str | None = None,
    expected_response_by: date | None = None,
    follow_up_channel: str | None = None,
    second_round_expected: bool | None = None,
    references_requested_at: datetime | None = None,
    reference_ids: Sequence[str] = (),
    interviews: Sequence[InterviewIn] = (),
    interviewers: Sequence[PersonIn] = (),
    events: Sequence[EventIn] = (),
) -> ApplicationIn:
    return ApplicationIn(
        id=id,
        company=company,
        role_title=role_title,
        status=status,
        created_at=created_at,
        recruiter_name=recruiter_name,
        recruiter_email=recruiter_email,
        expected_response_by=expected_response_by,
        follow_up_channel=follow_up_channel,
        second_round_expected=second_round_expected,
        references_requested_at=references_requested_at,
        reference_ids=tuple(reference_ids),
        interviews=tuple(interviews),
        interviewers=tuple(interviewers),
        events=tuple(events),
    )


def reference(id: str = "r1", name: str = "Alice Moreau", **fields: str | None) -> ReferenceIn:
    values: dict[str, str | None] = {
        "email": "alice@example.org",
        "relationship": "former manager",
        "company": "Globex",
        "title": "CTO",
    }
    values.update(fields)
    return ReferenceIn(id=id, name=name, **values)


def user(name: str = "Chris Candidate", timezone: str = "UTC") -> UserIn:
    return UserIn(name=name, timezone=timezone)


def interviewed(**overrides: object) -> ApplicationIn:
    """One application, one video interview at T0 with Jane Doe: the usual starting point."""
    fields: dict[str, object] = {
        "interviews": (interview(),),
        "interviewers": (person(),),
    }
    fields.update(overrides)
    return application(**fields)  # type: ignore[arg-type]


def with_events(app: ApplicationIn, *events: EventIn) -> ApplicationIn:
    return dataclasses.replace(app, events=app.events + events)


def run(
    *applications: ApplicationIn,
    as_of: datetime,
    references: Sequence[ReferenceIn] = (),
    who: UserIn | None = None,
) -> list[Recommendation]:
    return recommend(who or user(), list(applications), list(references), as_of)


def of_rule(recs: Sequence[Recommendation], rule: str) -> list[Recommendation]:
    return [rec for rec in recs if rec.rule == rule]


def only(recs: Sequence[Recommendation], rule: str) -> Recommendation:
    found = of_rule(recs, rule)
    assert len(found) == 1, f"expected one {rule}, got {[r.rule for r in recs]}"
    return found[0]


def rules(recs: Sequence[Recommendation]) -> list[str]:
    return sorted(rec.rule for rec in recs)


# Applying a completion, the way POST /recommendations/{id}/complete will -----------------


def complete(
    applications: Sequence[ApplicationIn],
    references: Sequence[ReferenceIn],
    rec: Recommendation,
    at: datetime,
) -> tuple[list[ApplicationIn], list[ReferenceIn]]:
    """The data after doing what `rec.completion` says at `at`.

    Manual completions are applied the way the hint tells the user to: link an interviewer,
    list a reference, add an application.
    """
    apps = list(applications)
    refs = list(references)
    done = rec.completion
    if rec.rule == "keep_applying":
        fresh = application(id=f"new-{rec.id}", status="applied", created_at=at)
        return [*apps, fresh], refs
    index = next(i for i, app in enumerate(apps) if app.id == rec.application_id)
    app = apps[index]
    if done.kind == "event":
        assert done.event_type is not None
        new_event = EventIn(
            id=f"done-{rec.id}",
            type=done.event_type,
            occurred_at=at,
            interviewer_id=done.interviewer_id,
            interview_id=done.interview_id,
            reference_id=done.reference_id,
            channel=done.channel,
            response=None,
            to_status=None,
        )
        app = with_events(app, new_event)
        if done.event_type == "withdrawal":  # the API sets the status alongside the event
            app = _set_status(app, "withdrawn", at, rec.id)
    elif done.kind == "status":
        assert done.status is not None
        app = _set_status(app, done.status, at, rec.id)
    elif rec.rule == "record_interviewers":
        newcomer = person(id=f"p-{rec.id}", name="Sam Newcomer")
        interviews = tuple(
            dataclasses.replace(iv, interviewer_ids=(*iv.interviewer_ids, newcomer.id))
            if iv.id == rec.interview_id
            else iv
            for iv in app.interviews
        )
        app = dataclasses.replace(
            app, interviews=interviews, interviewers=(*app.interviewers, newcomer)
        )
    elif rec.rule == "list_references":
        listed = reference(id=f"r-{rec.id}", name="Robin Listed")
        refs.append(listed)
        app = dataclasses.replace(app, reference_ids=(*app.reference_ids, listed.id))
    else:
        raise AssertionError(f"no way to complete {rec.rule} manually")
    apps[index] = app
    return apps, refs


def _set_status(app: ApplicationIn, status: str, at: datetime, tag: str) -> ApplicationIn:
    change = EventIn(f"status-{tag}", "status_changed", at, None, None, None, None, None, status)
    return dataclasses.replace(with_events(app, change), status=status)
