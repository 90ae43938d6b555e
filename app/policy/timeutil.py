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
