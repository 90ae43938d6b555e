"""Next steps as the pages show them: who it is for, when it is due, grouped by urgency."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import owned_by_id
from app.models import Application, Interviewer, Reference, User
from app.people.main_contact import is_recruiter
from app.policy import Recommendation
from app.web import timefmt

# Steps with a draft that isn't written to anyone (questions to ask before leaving).
IN_PERSON_RULES = frozenset({"ask_next_steps"})
# The dashboard shows this many steps of each group, each with its draft and four
# buttons; a long search has thousands (a page of them all would be megabytes and
# take seconds to render), so the rest are one "show all" link away.
SHOWN_PER_GROUP = 20
# Within a group, each application shows this many steps; the rest sit behind "Show N
# more", so one interview with two people doesn't bury every other application.
SHOWN_PER_APPLICATION = 2
# Characters per line of a draft box at its narrowest (a phone), for its height.
DRAFT_LINE = 45
GROUP_KEYS = ("overdue", "today", "upcoming")
T = TypeVar("T")


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

    @property
    def draft_rows(self) -> int:
        """Rows for the whole draft at about DRAFT_LINE characters a line, so it isn't cut
        off mid-signature (browsers that size a field to its content do better still)."""
        if self.rec.draft is None:
            return 0
        lines = self.rec.draft.body.split("\n")
        return sum(len(line) // DRAFT_LINE + 1 for line in lines) + 1


@dataclass(frozen=True, slots=True)
class ApplicationSteps:
    """One application's steps in a group: the first few shown, the rest folded away."""

    application: Application | None
    shown: list[Step]
    folded: list[Step]


@dataclass
class Groups:
    """Steps by urgency: those shown, and how many each group has in all."""

    overdue: list[Step] = field(default_factory=list)
    today: list[Step] = field(default_factory=list)
    upcoming: list[Step] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.totals.values())


def by_application(
    steps: Sequence[Step], shown: int = SHOWN_PER_APPLICATION
) -> list[ApplicationSteps]:
    """The steps grouped by application, in the order each application first comes."""
    grouped: dict[uuid.UUID | None, list[Step]] = {}
    for step in steps:
        key = step.application.id if step.application is not None else None
        grouped.setdefault(key, []).append(step)
    return [
        ApplicationSteps(group[0].application, group[:shown], group[shown:])
        for group in grouped.values()
    ]


def soonest_by_application(recs: Sequence[Recommendation]) -> dict[str, Recommendation]:
    """Each application's next step: the one due first (ties: the list's order)."""
    soonest: dict[str, Recommendation] = {}
    for rec in recs:
        if rec.application_id is None:
            continue
        current = soonest.get(rec.application_id)
        if current is None or rec.due_at < current.due_at:
            soonest[rec.application_id] = rec
    return soonest


def due_text(rec: Recommendation, tz: ZoneInfo, now: datetime) -> str:
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


async def describe(
    session: AsyncSession,
    user: User,
    recs: Sequence[Recommendation],
    tz: ZoneInfo,
    now: datetime,
) -> list[Step]:
    """Each step with its application and person: three queries at most, however many."""
    applications = await owned_by_id(session, Application, user.id, _ids(recs, "application_id"))
    interviewers, contacts = await _people(session, user, recs, applications.values())
    references = await owned_by_id(session, Reference, user.id, _ids(recs, "reference_id"))
    steps = []
    for rec in recs:
        application = _get(applications, rec.application_id)
        person = None
        if (i := _get(interviewers, rec.interviewer_id)) is not None:
            person = Person(i.name, i.title, i.email)
        elif (r := _get(references, rec.reference_id)) is not None:
            person = Person(r.name, r.relationship, r.email)
        elif (
            application is not None
            and application.recruiter_name
            and rec.draft is not None
            and rec.rule not in IN_PERSON_RULES
        ):
            person = _recruiter(application, contacts.get(application.id))
        to = person.email if person else None
        steps.append(Step(rec, application, person, due_text(rec, tz, now), _mailto(rec, to)))
    return steps


async def _people(
    session: AsyncSession,
    user: User,
    recs: Sequence[Recommendation],
    applications: Iterable[Application],
) -> tuple[dict[uuid.UUID, Interviewer], dict[uuid.UUID, Interviewer]]:
    """The steps' people by id, and the main contact of each application that has a
    recruiter (to name them as their page does), in one query."""
    ids = _ids(recs, "interviewer_id")
    with_recruiter = {a.id for a in applications if a.recruiter_name}
    if not ids and not with_recruiter:
        return {}, {}
    rows = await session.scalars(
        select(Interviewer).where(
            Interviewer.owner_id == user.id,
            or_(
                Interviewer.id.in_(ids),
                and_(
                    Interviewer.application_id.in_(with_recruiter),
                    Interviewer.is_main_contact.is_(True),
                ),
            ),
        )
    )
    by_id: dict[uuid.UUID, Interviewer] = {}
    contacts: dict[uuid.UUID, Interviewer] = {}
    for person in rows:
        by_id[person.id] = person
        if person.is_main_contact and person.application_id in with_recruiter:
            contacts[person.application_id] = person
    return by_id, contacts


def _recruiter(application: Application, contact: Interviewer | None) -> Person:
    """The recruiter as the person they are on the application's page (same title), or,
    entered only as the application's fields, simply as its recruiter."""
    if contact is not None and is_recruiter(application, contact):
        return Person(contact.name, contact.title, contact.email)
    return Person(application.recruiter_name or "", "Recruiter", application.recruiter_email)


def _ids(recs: Sequence[Recommendation], attribute: str) -> set[uuid.UUID]:
    return {uuid.UUID(value) for rec in recs if (value := getattr(rec, attribute))}


def _get(rows: dict[uuid.UUID, T], row_id: str | None) -> T | None:
    return rows.get(uuid.UUID(row_id)) if row_id else None


def _group_key(rec: Recommendation, tz: ZoneInfo, today: date) -> str:
    if rec.overdue:
        return "overdue"
    return "today" if timefmt.local(rec.due_at, tz).date() <= today else "upcoming"


async def dashboard_groups(
    session: AsyncSession,
    user: User,
    recs: Sequence[Recommendation],
    tz: ZoneInfo,
    now: datetime,
    *,
    show_all: str | None = None,
) -> Groups:
    """The first SHOWN_PER_GROUP steps of each group (all of `show_all`'s), described."""
    today = timefmt.today(tz, now)
    by_group: dict[str, list[Recommendation]] = {key: [] for key in GROUP_KEYS}
    for rec in recs:
        by_group[_group_key(rec, tz, today)].append(rec)
    shown = {
        key: group if key == show_all else group[:SHOWN_PER_GROUP]
        for key, group in by_group.items()
    }
    steps = iter(await describe(session, user, [r for g in shown.values() for r in g], tz, now))
    return Groups(
        **{key: [next(steps) for _ in group] for key, group in shown.items()},
        totals={key: len(group) for key, group in by_group.items()},
    )
