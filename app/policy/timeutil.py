"""Time arithmetic in the user's own timezone.

Deadlines people state ("you'll hear back by Friday") are calendar days where the user lives,
so anything tied to a date is computed with zoneinfo, which gets DST transitions right.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A polite nudge lands at the start of a working day, not at midnight.
INQUIRY_LOCAL_TIME = time(9, 0)
# date.weekday() of Saturday and Sunday; nobody nudges an employer then.
_WEEKEND = frozenset({5, 6})


def require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: a naive datetime is ambiguous")


@lru_cache(maxsize=256)
def user_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone: {name!r}") from exc


@lru_cache(maxsize=1024)
def morning_after(day: date, zone: ZoneInfo) -> datetime:
    """09:00 local on the day after `day`, as a UTC instant.

    Cached by value (a pure function of a date and a zone; few distinct dates are promised at
    once): combining with a ZoneInfo and converting to UTC is costly, and every waiting
    application with a promised date asks for it each run.
    """
    local = datetime.combine(day + timedelta(days=1), INQUIRY_LOCAL_TIME, tzinfo=zone)
    return local.astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


@lru_cache(maxsize=1024)
def _monday_morning(day: date, zone: ZoneInfo) -> datetime:
    """09:00 local on the Monday after the weekend `day` falls in, as a UTC instant."""
    monday = day + timedelta(days=7 - day.weekday())
    return datetime.combine(monday, INQUIRY_LOCAL_TIME, tzinfo=zone).astimezone(UTC)


def on_a_weekday(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment`, or 09:00 user-local on the next Monday when it falls on a local weekend.

    Only for messages that ask something of the employer (status inquiries, a note on a
    shared interest): one landing on a Saturday reads as impatience and sits unread until
    Monday anyway. The weekend is the user's: in Auckland, Saturday starts on Friday UTC.
    Thanks and reference briefings never go through this, since sooner is better for them.
    """
    day = moment.astimezone(zone).date()
    if day.weekday() not in _WEEKEND:
        return moment
    return _monday_morning(day, zone)
