"""Next steps as the pages show them: who it is for, when it is due, grouped by urgency."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.service import get_application, list_applications
from app.core.errors import NotFound
from app.core.pagination import PageParams
from app.models import Application, Interviewer, Reference, User
from app.people.interviewer_service import list_interviewers
from app.people.reference_service import list_references
from app.policy import Recommendation
from app.web import timefmt

# Enough for any one person's job search; beyond it, rows are fetched one by one.
LOOKUP_PAGE = PageParams(limit=200, cursor=None)
# Steps with a draft that isn't written to anyone (questions to ask before leaving).
IN_PERSON_RULES = frozenset({"ask_next_steps"})


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    detail: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Step:
    rec: Recommendation
    application: Application | None
    person: Person | None
    due_text: str
    mailto: str | None

    @property
    def manual(self) -> bool:
        return self.rec.completion.kind == "manual"


@dataclass
class Groups:
    overdue: list[Step] = field(default_factory=list)
    today: list[Step] = field(default_factory=list)
    upcoming: list[Step] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.upcoming)


def _due_text(rec: Recommendation, tz: ZoneInfo, now: datetime) -> str:
    due = timefmt.local(rec.due_at, tz)
    if rec.overdue:
        return f"Was due {timefmt.format_datetime(rec.due_at, tz, now)}"
    if due.date() == timefmt.today(tz, now):
        return f"Due today by {due:%H:%M}"
    return f"Due {timefmt.format_datetime(rec.due_at, tz, now)}"


def _mailto(rec: Recommendation, to: str | None) -> str | None:
    if rec.draft is None or rec.channel != "email" or not to:
        return None
    query = f"body={quote(rec.draft.body)}"
    if rec.draft.subject:
        query = f"subject={quote(rec.draft.subject)}&{query}"
    return f"mailto:{quote(to, safe='@')}?{query}"


async def _applications(
    session: AsyncSession, user: User, wanted: set[str]
) -> dict[str, Application]:
    if not wanted:
        return {}
    rows, _ = await list_applications(session, user, LOOKUP_PAGE)
    found = {str(a.id): a for a in rows}
    for missing in wanted - found.keys():
        try:
            found[missing] = await get_application(session, user.id, uuid.UUID(missing))
        except NotFound:
            continue
    return found


async def describe(
    session: AsyncSession,
    user: User,
    recs: Sequence[Recommendation],
    tz: ZoneInfo,
    now: datetime,
) -> list[Step]:
    """Each step with its application and person loaded, through the resource services."""
    applications = await _applications(
        session, user, {r.application_id for r in recs if r.application_id}
    )
    interviewers: dict[str, Interviewer] = {}
    for app_id in {r.application_id for r in recs if r.interviewer_id and r.application_id}:
        if app_id in applications:
            rows, _ = await list_interviewers(session, applications[app_id], LOOKUP_PAGE)
            interviewers.update({str(i.id): i for i in rows})
    references: dict[str, Reference] = {}
    if any(r.reference_id for r in recs):
        rows_r, _ = await list_references(session, user, LOOKUP_PAGE)
        references = {str(r.id): r for r in rows_r}
    steps = []
    for rec in recs:
        application = applications.get(rec.application_id or "")
        person = None
        if rec.interviewer_id and rec.interviewer_id in interviewers:
            i = interviewers[rec.interviewer_id]
            person = Person(i.name, i.title, i.email)
        elif rec.reference_id and rec.reference_id in references:
            r = references[rec.reference_id]
            person = Person(r.name, r.relationship, r.email)
        elif (
            application is not None
            and application.recruiter_name
            and rec.draft is not None
            and rec.rule not in IN_PERSON_RULES
        ):
            person = Person(application.recruiter_name, "Recruiter", application.recruiter_email)
        to = person.email if person else None
        steps.append(Step(rec, application, person, _due_text(rec, tz, now), _mailto(rec, to)))
    return steps


def group(steps: Sequence[Step], tz: ZoneInfo, now: datetime) -> Groups:
    groups = Groups()
    today = timefmt.today(tz, now)
    for step in steps:
        if step.rec.overdue:
            groups.overdue.append(step)
        elif timefmt.local(step.rec.due_at, tz).date() <= today:
            groups.today.append(step)
        else:
            groups.upcoming.append(step)
    return groups
