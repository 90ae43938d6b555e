"""Render interviews and next steps as an iCalendar (RFC 5545) document.

A pure function of its inputs: the same data renders the same bytes, so a calendar
app polling the feed sees a change only when something really changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.policy import Recommendation

# icalendar is imported where a feed is rendered, not with the module: its import takes
# about 0.13 s, a fifteenth of the service's start-up when it was measured, for an
# endpoint calendar apps poll now and then.
if TYPE_CHECKING:
    from icalendar import Event as VEvent

PRODID = "-//Followup//Followup calendar//EN"
UID_DOMAIN = "followup"
# RFC 5545 PRIORITY: 1 is highest, 9 lowest.
PRIORITY = {"high": 1, "normal": 5, "low": 9}
REFRESH = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class InterviewEntry:
    id: str
    company: str
    role_title: str
    starts_at: datetime
    ends_at: datetime
    kind: str | None
    round: int | None
    people: Sequence[str]
    topics: str | None
    job_url: str | None
    updated_at: datetime
    version: int


def interview_summary(entry: InterviewEntry) -> str:
    return f"Interview: {entry.role_title} at {entry.company}"


def render_calendar(
    *,
    calendar_name: str,
    timezone: str,
    interviews: Sequence[InterviewEntry],
    next_steps: Sequence[Recommendation],
    companies: Mapping[str, str],
    now: datetime,
) -> bytes:
    """`companies` maps application ids to "role at company", for next-step descriptions."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", timezone)
    # How often subscribing apps should poll (honoured by Apple and some others).
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # an X- property: written as given
    for entry in interviews:
        calendar.add_component(_interview_event(entry))
    zone = ZoneInfo(timezone)
    for step in next_steps:
        calendar.add_component(_next_step_event(step, zone, companies, now))
    body: bytes = calendar.to_ical()
    return body


def _interview_event(entry: InterviewEntry) -> VEvent:
    from icalendar import Event as VEvent

    event = VEvent()
    event.add("uid", f"interview-{entry.id}@{UID_DOMAIN}")
    # DTSTAMP is when this version of the event was last changed, so the bytes stay
    # the same between polls; SEQUENCE tells clients a newer version replaces the old.
    event.add("dtstamp", entry.updated_at)
    event.add("last-modified", entry.updated_at)
    event.add("sequence", entry.version - 1)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", interview_summary(entry))
    event.add("description", _interview_description(entry))
    event.add("categories", ["Interview"])
    if entry.job_url:
        event.add("url", entry.job_url)
    return event


def _interview_description(entry: InterviewEntry) -> str:
    lines = []
    kind = entry.kind.replace("_", " ") if entry.kind else "interview"
    lines.append(f"Round {entry.round} ({kind})" if entry.round else kind.capitalize())
    if entry.people:
        lines.append("With: " + "; ".join(entry.people))
    if entry.topics:
        lines.append(f"Topics: {entry.topics}")
    return "\n".join(lines)


def _next_step_event(
    step: Recommendation, zone: ZoneInfo, companies: Mapping[str, str], now: datetime
) -> VEvent:
    from icalendar import Event as VEvent

    due_day: date = step.due_at.astimezone(zone).date()
    event = VEvent()
    event.add("uid", f"next-step-{step.id}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    # All-day on the due day in the user's timezone: a to-do for that day, not a meeting.
    event.add("dtstart", due_day)
    event.add("dtend", due_day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # doesn't make the user look busy
    event.add("summary", step.title)
    event.add("description", _next_step_description(step, companies))
    event.add("priority", PRIORITY.get(step.priority, 5))
    event.add("categories", ["Next step"])
    return event


def _next_step_description(step: Recommendation, companies: Mapping[str, str]) -> str:
    parts = []
    if step.application_id is not None and step.application_id in companies:
        parts.append(companies[step.application_id])
    parts.append(step.rationale)
    if step.draft is not None:
        draft = step.draft.body
        if step.draft.subject:
            draft = f"Subject: {step.draft.subject}\n\n{draft}"
        parts.append(f"Draft:\n{draft}")
    return "\n\n".join(parts)
