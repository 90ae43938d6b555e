"""What goes into a user's digest, and when their next one is due: pure, no database.

A digest lists the open steps that are overdue, due today or due tomorrow on the user's
clock, in those three groups. An empty digest is never sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from app.policy import Recommendation
from app.policy.timeutil import local_date, user_zone

GROUPS = ("overdue", "today", "tomorrow")
GROUP_TITLES = {"overdue": "Overdue", "today": "Due today", "tomorrow": "Due tomorrow"}


@dataclass(frozen=True, slots=True)
class DigestGroup:
    key: str
    title: str
    steps: list[Recommendation]


def digest_groups(
    recommendations: Sequence[Recommendation], timezone: str, now: datetime
) -> list[DigestGroup]:
    """The non-empty groups, in order: overdue, due today, due tomorrow."""
    zone = user_zone(timezone)
    today = local_date(now, zone)
    tomorrow = today + timedelta(days=1)
    grouped: dict[str, list[Recommendation]] = {key: [] for key in GROUPS}
    for rec in recommendations:
        if rec.overdue or rec.due_at < now:
            grouped["overdue"].append(rec)
        elif local_date(rec.due_at, zone) == today:
            grouped["today"].append(rec)
        elif local_date(rec.due_at, zone) == tomorrow:
            grouped["tomorrow"].append(rec)
    return [DigestGroup(key, GROUP_TITLES[key], steps) for key, steps in grouped.items() if steps]


def parse_digest_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def next_digest_at(timezone: str, digest_time: str, after: datetime) -> datetime:
    """The first instant later than `after` at which it is `digest_time` on the user's clock."""
    zone = user_zone(timezone)
    at = parse_digest_time(digest_time)
    day = local_date(after, zone)
    while True:
        # A time skipped by a DST jump reads with the old offset: just after the jump.
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
