"""Everything the policy engine needs about one user, in a fixed number of queries.

One query per table, whatever the number of applications: the engine gets plain
dataclasses, grouped here in Python. (Loading per application would be an N+1.)
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Application,
    Base,
    Event,
    Interview,
    Interviewer,
    Reference,
    User,
    application_references,
    interview_interviewers,
)
from app.policy import ApplicationIn, EventIn, InterviewIn, PersonIn, ReferenceIn, UserIn

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def user_input(user: User) -> UserIn:
    return UserIn(name=user.name, timezone=user.timezone)


async def load_policy_input(
    session: AsyncSession, user_id: uuid.UUID, application_id: uuid.UUID | None = None
) -> tuple[list[ApplicationIn], list[ReferenceIn]]:
    """The user's applications (or just one) with their interviews, people and events."""
    loaded = await load_policy_inputs(session, [user_id], application_id)
    return loaded.get(user_id, ([], []))


async def load_policy_inputs(
    session: AsyncSession,
    user_ids: Sequence[uuid.UUID],
    application_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, tuple[list[ApplicationIn], list[ReferenceIn]]]:
    """The same for several users at once, in the same seven queries (the scheduler's batch)."""
    # Plain column tuples, not ORM objects: no identity map or instance state to build
    # for thousands of rows the engine only reads once.
    app_stmt = select(Application.owner_id, *_columns(Application, APPLICATION_FIELDS)).where(
        Application.owner_id.in_(user_ids)
    )
    interview_stmt = select(Interview.owner_id, *_columns(Interview, INTERVIEW_FIELDS)).where(
        Interview.owner_id.in_(user_ids)
    )
    person_stmt = select(Interviewer.owner_id, *_columns(Interviewer, PERSON_FIELDS)).where(
        Interviewer.owner_id.in_(user_ids)
    )
    event_stmt = select(Event.owner_id, *_columns(Event, EVENT_FIELDS)).where(
        Event.owner_id.in_(user_ids)
    )
    if application_id is not None:
        app_stmt = app_stmt.where(Application.id == application_id)
        interview_stmt = interview_stmt.where(Interview.application_id == application_id)
        person_stmt = person_stmt.where(Interviewer.application_id == application_id)
        event_stmt = event_stmt.where(Event.application_id == application_id)
    rows: dict[str, Sequence[Any]] = {
        "applications": (await session.execute(app_stmt)).all(),
        "interviews": (await session.execute(interview_stmt)).all(),
        "interviewers": (await session.execute(person_stmt)).all(),
        "events": (await session.execute(event_stmt)).all(),
        "references": (
            await session.execute(
                select(Reference.owner_id, *_columns(Reference, REFERENCE_FIELDS)).where(
                    Reference.owner_id.in_(user_ids)
                )
            )
        ).all(),
        "links": (
            await session.execute(
                select(
                    Interview.owner_id,
                    interview_interviewers.c.interview_id,
                    interview_interviewers.c.interviewer_id,
                )
                .join(Interview, Interview.id == interview_interviewers.c.interview_id)
                .where(Interview.owner_id.in_(user_ids))
            )
        ).all(),
        "listed": (
            await session.execute(
                select(
                    Application.owner_id,
                    application_references.c.application_id,
                    application_references.c.reference_id,
                )
                .join(Application, Application.id == application_references.c.application_id)
                .where(Application.owner_id.in_(user_ids))
            )
        ).all(),
    }
    by_owner: dict[uuid.UUID, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for kind, kind_rows in rows.items():
        for row in kind_rows:
            by_owner[row.owner_id][kind].append(row)
    return {owner: _assemble(**owned) for owner, owned in by_owner.items()}


def _assemble(
    applications: Sequence[Any] = (),
    interviews: Sequence[Any] = (),
    interviewers: Sequence[Any] = (),
    events: Sequence[Any] = (),
    references: Sequence[Any] = (),
    links: Sequence[Any] = (),
    listed: Sequence[Any] = (),
) -> tuple[list[ApplicationIn], list[ReferenceIn]]:
    """One user's rows, grouped into the engine's inputs."""
    links = [(row.interview_id, row.interviewer_id) for row in links]
    listed = [(row.application_id, row.reference_id) for row in listed]
    people_of_interview = _group((str(i), str(p)) for i, p in links)
    references_of_app = _group((str(a), str(r)) for a, r in listed)
    interviews_of_app: dict[uuid.UUID, list[InterviewIn]] = defaultdict(list)
    for interview in interviews:
        interviews_of_app[interview.application_id].append(
            InterviewIn(
                id=str(interview.id),
                starts_at=interview.starts_at,
                ends_at=interview.ends_at,
                kind=interview.kind,
                round=interview.round,
                interviewer_ids=tuple(people_of_interview.get(str(interview.id), ())),
                topics=interview.topics,
                mutual_interests=interview.mutual_interests,
            )
        )
    people_of_app: dict[uuid.UUID, list[PersonIn]] = defaultdict(list)
    for person in interviewers:
        people_of_app[person.application_id].append(
            PersonIn(
                id=str(person.id),
                name=person.name,
                title=person.title,
                email=person.email,
                linkedin_url=person.linkedin_url,
                is_main_contact=person.is_main_contact,
            )
        )
    events_of_app: dict[uuid.UUID, list[EventIn]] = defaultdict(list)
    for event in events:
        events_of_app[event.application_id].append(
            EventIn(
                id=str(event.id),
                type=event.type,
                occurred_at=event.occurred_at,
                interviewer_id=_str(event.interviewer_id),
                interview_id=_str(event.interview_id),
                reference_id=_str(event.reference_id),
                channel=event.channel,
                response=event.response,
                to_status=event.to_status,
            )
        )
    application_inputs = [
        ApplicationIn(
            id=str(app.id),
            company=app.company,
            role_title=app.role_title,
            status=app.status,
            created_at=app.created_at,
            recruiter_name=app.recruiter_name,
            recruiter_email=app.recruiter_email,
            expected_response_by=app.expected_response_by,
            follow_up_channel=app.follow_up_channel,
            second_round_expected=app.second_round_expected,
            references_requested_at=app.references_requested_at,
            reference_ids=tuple(references_of_app.get(str(app.id), ())),
            interviews=tuple(interviews_of_app[app.id]),
            interviewers=tuple(people_of_app[app.id]),
            events=tuple(events_of_app[app.id]),
        )
        for app in applications
    ]
    reference_inputs = [
        ReferenceIn(
            id=str(ref.id),
            name=ref.name,
            email=ref.email,
            relationship=ref.relationship,
            company=ref.company,
            title=ref.title,
        )
        for ref in references
    ]
    return application_inputs, reference_inputs


def _copied(model: type[Base], target: type[DataclassInstance]) -> tuple[str, ...]:
    """The columns of `model` that `target` takes as they are: those it has a field for."""
    columns = inspect(model).columns
    return tuple(f.name for f in dataclasses.fields(target) if f.name in columns)


# What each query selects follows from the engine's inputs in app/policy/inputs.py (and
# the key rows are grouped by): a field added there is loaded without naming it here.
APPLICATION_FIELDS = _copied(Application, ApplicationIn)
INTERVIEW_FIELDS = (*_copied(Interview, InterviewIn), "application_id")
PERSON_FIELDS = (*_copied(Interviewer, PersonIn), "application_id")
EVENT_FIELDS = (*_copied(Event, EventIn), "application_id")
REFERENCE_FIELDS = _copied(Reference, ReferenceIn)
# The application's columns the engine doesn't get, and why: a field is either in
# ApplicationIn or here (tests/test_field_coverage.py).
NOT_FOR_POLICY: Mapping[str, str] = {
    "owner_id": "the engine sees one user's applications at a time",
    "job_url": "no guidance depends on the posting",
    "location": "no guidance depends on where the job is",
    "notes": "the user's own words; no rule reads them",
    "source": "guidance is the same whichever tool entered it",
    "external_id": "another tool's key",
    "updated_at": "an edit is not news from the employer",
    "version": "counts edits, for concurrent writes",
}


def _columns(model: type[Base], names: tuple[str, ...]) -> list[Any]:
    return [getattr(model, name) for name in names]


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
