"""The Progress page's figures: plain data in, numbers out (no database, no clock)."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.models.enums import ApplicationStatus, EventType
from app.web import timefmt

FUNNEL = (
    ApplicationStatus.applied,
    ApplicationStatus.interviewing,
    ApplicationStatus.offer,
    ApplicationStatus.accepted,
)
# What the user sends or does to follow up (replies, notes and withdrawals are not).
FOLLOW_UPS = frozenset(
    {
        EventType.next_steps_asked,
        EventType.contact_info_requested,
        EventType.thank_you_email,
        EventType.handwritten_note,
        EventType.linkedin_connection,
        EventType.linkedin_message,
        EventType.status_inquiry,
        EventType.reference_heads_up,
    }
)
WEEKS = 8


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    id: uuid.UUID
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventFacts:
    application_id: uuid.UUID
    type: str
    occurred_at: datetime
    to_status: str | None


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Progress:
    funnel: list[Bar]
    applications: int
    replied: int
    median_days_to_reply: float | None
    weeks: list[Bar]

    @property
    def reply_rate(self) -> int | None:
        """Percent of applications with a reply, None with no applications."""
        return round(100 * self.replied / self.applications) if self.applications else None


def _stage(status: str | None) -> int:
    """How far along the funnel a status is; -1 for those off it (rejected, ...)."""
    return FUNNEL.index(ApplicationStatus(status)) if status in FUNNEL else -1


def funnel(
    applications: Sequence[ApplicationFacts], events: Iterable[EventFacts], labels: dict[str, str]
) -> list[Bar]:
    """How many applications reached each stage, now or at any time before (a rejection
    after an interview still counts as having reached interviewing)."""
    furthest = {a.id: max(_stage(a.status), 0) for a in applications}
    for e in events:
        if e.type == EventType.status_changed and e.application_id in furthest:
            furthest[e.application_id] = max(furthest[e.application_id], _stage(e.to_status))
    return [
        Bar(labels[s], sum(1 for f in furthest.values() if f >= i)) for i, s in enumerate(FUNNEL)
    ]


def first_replies(events: Iterable[EventFacts]) -> dict[uuid.UUID, datetime]:
    first: dict[uuid.UUID, datetime] = {}
    for e in events:
        if e.type == EventType.reply_received:
            known = first.get(e.application_id)
            first[e.application_id] = e.occurred_at if known is None else min(known, e.occurred_at)
    return first


def follow_ups_per_week(
    events: Iterable[EventFacts], tz: ZoneInfo, today: date, weeks: int = WEEKS
) -> list[Bar]:
    """Follow-ups in each of the last `weeks` weeks (Monday to Sunday, the user's time)."""
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(mondays, 0)
    for e in events:
        if e.type in FOLLOW_UPS:
            day = timefmt.local(e.occurred_at, tz).date()
            monday = day - timedelta(days=day.weekday())
            if monday in counts:
                counts[monday] += 1
    return [Bar(f"{m.day} {m:%b}", n) for m, n in counts.items()]


def progress(
    applications: Sequence[ApplicationFacts],
    events: Sequence[EventFacts],
    labels: dict[str, str],
    tz: ZoneInfo,
    today: date,
) -> Progress:
    known = {a.id: a for a in applications}
    replies = first_replies(events)
    days = [
        (when - known[app_id].created_at).total_seconds() / 86400
        for app_id, when in replies.items()
        if app_id in known
    ]
    return Progress(
        funnel=funnel(applications, events, labels),
        applications=len(applications),
        replied=sum(1 for app_id in replies if app_id in known),
        median_days_to_reply=round(max(statistics.median(days), 0), 1) if days else None,
        weeks=follow_ups_per_week(events, tz, today),
    )
