"""Applications as a spreadsheet: the "proof of my job search" a job centre asks for.

One row per application, oldest first, with the dates that matter (applied, each
interview, the last follow-up) and the status history in one readable column. That
is the shape of the forms job centres use (employer, position, date, outcome); one
row per status change would need a pivot table to read. Dates are in the user's
timezone. UTF-8 with a byte order mark, so Excel shows accents and umlauts right.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event, Interview, User
from app.models.enums import EventType

BOM = "\ufeff"
HEADER = (
    "Company",
    "Role",
    "Location",
    "Job posting",
    "Applied on",
    "Status",
    "Status since",
    "Interviews",
    "Follow-ups sent",
    "Last follow-up",
    "Contact",
    "Contact email",
    "Status history",
)
# What the user sent to the employer (references and notes-to-self don't count).
FOLLOW_UPS = {
    EventType.next_steps_asked: "asked about next steps",
    EventType.contact_info_requested: "asked for contact details",
    EventType.thank_you_email: "thank-you email",
    EventType.handwritten_note: "handwritten note",
    EventType.linkedin_connection: "LinkedIn connection",
    EventType.linkedin_message: "LinkedIn message",
    EventType.status_inquiry: "status inquiry",
    EventType.withdrawal: "withdrawal",
}
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def applications_csv(session: AsyncSession, user: User) -> str:
    zone = ZoneInfo(user.timezone)
    applications = (
        await session.scalars(
            select(Application)
            .where(Application.owner_id == user.id)
            .order_by(Application.created_at, Application.id)
        )
    ).all()
    interviews: dict[uuid.UUID, list[Interview]] = defaultdict(list)
    for interview in await session.scalars(
        select(Interview).where(Interview.owner_id == user.id).order_by(Interview.starts_at)
    ):
        interviews[interview.application_id].append(interview)
    events: dict[uuid.UUID, list[Event]] = defaultdict(list)
    for event in await session.scalars(
        select(Event)
        .where(Event.owner_id == user.id)
        .order_by(Event.occurred_at, Event.created_at, Event.id)
    ):
        events[event.application_id].append(event)

    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for application in applications:
        row = _row(application, interviews[application.id], events[application.id], zone)
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def _row(
    application: Application,
    interviews: Sequence[Interview],
    events: Sequence[Event],
    zone: ZoneInfo,
) -> list[str]:
    changes = [e for e in events if e.type == EventType.status_changed and e.to_status]
    follow_ups = [e for e in events if e.type in FOLLOW_UPS]
    last = follow_ups[-1] if follow_ups else None
    return [
        application.company,
        application.role_title,
        application.location or "",
        application.job_url or "",
        _day(application.created_at, zone),
        application.status,
        _day(changes[-1].occurred_at, zone) if changes else _day(application.created_at, zone),
        "; ".join(_interview(i, zone) for i in interviews),
        str(len(follow_ups)),
        f"{_day(last.occurred_at, zone)} ({FOLLOW_UPS[EventType(last.type)]})" if last else "",
        application.recruiter_name or "",
        application.recruiter_email or "",
        _history(application, changes, zone),
    ]


def _history(application: Application, changes: Sequence[Event], zone: ZoneInfo) -> str:
    # The status given at creation leaves no event: the first change says what it was.
    first = (changes[0].from_status if changes else None) or application.status
    steps = [f"{_day(application.created_at, zone)} {first}"]
    steps += [f"{_day(e.occurred_at, zone)} {e.to_status}" for e in changes]
    return "; ".join(steps)


def _interview(interview: Interview, zone: ZoneInfo) -> str:
    local = interview.starts_at.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M")
    details = [interview.kind.replace("_", " ")] if interview.kind else []
    if interview.round:
        details.append(f"round {interview.round}")
    return f"{text} ({', '.join(details)})" if details else text


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell
