"""Applications as a spreadsheet: the "proof of my job search" a job centre asks for.

One row per application, oldest first, with the dates that matter (applied, each
interview, the last follow-up) and the status history in one readable column. That
is the shape of the forms job centres use (employer, position, date, outcome); one
row per status change would need a pivot table to read. Dates are in the user's
timezone. UTF-8 with a byte order mark, so Excel shows accents and umlauts right.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import read_snapshot
from app.models import Application, Interview, User
from app.models.enums import EventType
from app.portability.export import events_in_order

BOM = "\ufeff"
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
# The events the sheet is made from: status changes and follow-ups.
SHEET_EVENTS = (EventType.status_changed, *FOLLOW_UPS)
# Applications per piece (and per batch of queries for their interviews and events).
BATCH = 200
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def applications_csv(
    sessions: async_sessionmaker[AsyncSession], user: User
) -> AsyncIterator[bytes]:
    """The sheet in pieces, a batch of applications each: constant memory, whatever the
    account's size, and the event loop gets a turn between pieces."""
    zone = ZoneInfo(user.timezone)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    stmt = (
        select(Application)
        .where(Application.owner_id == user.id)
        .order_by(Application.created_at, Application.id)
        .execution_options(yield_per=BATCH)
    )
    async with read_snapshot(sessions) as session:
        async for batch in (await session.stream_scalars(stmt)).partitions():
            ids = [a.id for a in batch]
            interviews: dict[uuid.UUID, list[Interview]] = defaultdict(list)
            for interview in await session.scalars(
                select(Interview)
                .where(Interview.application_id.in_(ids))
                .order_by(Interview.starts_at, Interview.id)
            ):
                interviews[interview.application_id].append(interview)
            events = events_in_order(session, ids, SHEET_EVENTS)
            event = await anext(events, None)
            for application in batch:
                own: list[Any] = []
                while event is not None and event.application_id == application.id:
                    own.append(event)
                    event = await anext(events, None)
                facts = _facts(application, interviews[application.id], own, zone)
                writer.writerow([_safe(cell) for cell in _row(facts)])
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            await asyncio.sleep(0)  # a turn for every other request before the next batch
    if out.tell():  # no applications: the header alone
        yield out.getvalue().encode("utf-8")


@dataclass(frozen=True, slots=True)
class _Facts:
    """What one row is made from."""

    application: Application
    interviews: Sequence[Interview]
    changes: Sequence[Any]  # its status changes (EVENT_COLUMNS), oldest first
    follow_ups: Sequence[Any]  # what the user sent to the employer, oldest first
    zone: ZoneInfo


def _facts(
    application: Application,
    interviews: Sequence[Interview],
    events: Sequence[Any],
    zone: ZoneInfo,
) -> _Facts:
    changes = [e for e in events if e.type == EventType.status_changed and e.to_status]
    follow_ups = [e for e in events if e.type in FOLLOW_UPS]
    return _Facts(application, interviews, changes, follow_ups, zone)


def _applied_on(facts: _Facts) -> str:
    return _day(facts.application.created_at, facts.zone)


def _status_since(facts: _Facts) -> str:
    return _day(facts.changes[-1].occurred_at, facts.zone) if facts.changes else _applied_on(facts)


def _interviews(facts: _Facts) -> str:
    return "; ".join(_interview(i, facts.zone) for i in facts.interviews)


def _follow_ups_sent(facts: _Facts) -> str:
    return str(len(facts.follow_ups))


def _last_follow_up(facts: _Facts) -> str:
    if not facts.follow_ups:
        return ""
    last = facts.follow_ups[-1]
    return f"{_day(last.occurred_at, facts.zone)} ({FOLLOW_UPS[EventType(last.type)]})"


def _history(facts: _Facts) -> str:
    # The status given at creation leaves no event: the first change says what it was.
    changes = facts.changes
    first = (changes[0].from_status if changes else None) or facts.application.status
    steps = [f"{_applied_on(facts)} {first}"]
    steps += [f"{_day(e.occurred_at, facts.zone)} {e.to_status}" for e in changes]
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


# The sheet, column by column: its header, and the application field it shows as it is
# or how the cell is worked out.
COLUMNS: tuple[tuple[str, str | Callable[[_Facts], str]], ...] = (
    ("Company", "company"),
    ("Role", "role_title"),
    ("Location", "location"),
    ("Job posting", "job_url"),
    ("Applied on", _applied_on),
    ("Status", "status"),
    ("Status since", _status_since),
    ("Interviews", _interviews),
    ("Follow-ups sent", _follow_ups_sent),
    ("Last follow-up", _last_follow_up),
    ("Contact", "recruiter_name"),
    ("Contact email", "recruiter_email"),
    ("Status history", _history),
)
HEADER = tuple(header for header, _ in COLUMNS)
SHOWN = frozenset(cell for _, cell in COLUMNS if isinstance(cell, str))
# The application's other fields, and why the sheet has no column for them: it answers
# a job centre's questions (employer, position, dates, outcome), not the app's own.
NOT_SHOWN: Mapping[str, str] = {
    "id": "an internal key",
    "owner_id": "the sheet is one user's",
    "created_at": "shown as the day, in the user's timezone, under Applied on",
    "updated_at": "when the row was last edited is not a fact of the search",
    "notes": "notes to self",
    "expected_response_by": "a reminder for the user, not a record of what was done",
    "follow_up_channel": "a reminder for the user, not a record of what was done",
    "second_round_expected": "a reminder for the user, not a record of what was done",
    "references_requested_at": "a reminder for the user, not a record of what was done",
    "source": "which tool entered it is not a fact of the search",
    "external_id": "another tool's key",
    "version": "counts edits, for concurrent writes",
}


def _row(facts: _Facts) -> list[str]:
    return [
        str(getattr(facts.application, cell) or "") if isinstance(cell, str) else cell(facts)
        for _, cell in COLUMNS
    ]
