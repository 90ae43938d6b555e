"""Times as people read and type them: in their own timezone, converted with zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# What <input type="datetime-local"> sends (seconds are optional).
_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class BadLocalTime(ValueError):
    """A datetime-local value that can't be turned into one instant; str() is for the user."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def format_datetime(moment: datetime | None, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'Tue 3 Dec, 14:00' (the year only when it isn't this year)."""
    if moment is None:
        return ""
    here = local(moment, tz)
    this_year = local(now or datetime.now(UTC), tz).year
    day = f"{here:%a} {here.day} {here:%b}"
    if here.year != this_year:
        day += f" {here.year}"
    return f"{day}, {here:%H:%M}"


def format_date(day: date | None) -> str:
    if day is None:
        return ""
    return f"{day:%a} {day.day} {day:%b %Y}"


def input_value(moment: datetime | None, tz: ZoneInfo) -> str:
    """The value attribute of a datetime-local input showing this instant."""
    if moment is None:
        return ""
    return local(moment, tz).strftime("%Y-%m-%dT%H:%M")


def parse_local(value: str, tz: ZoneInfo) -> datetime:
    """A datetime-local value read as wall-clock time in `tz`, as an aware UTC datetime."""
    naive = None
    for fmt in _LOCAL_FORMATS:
        try:
            naive = datetime.strptime(value.strip(), fmt)
            break
        except ValueError:
            continue
    if naive is None:
        raise BadLocalTime("Enter a date and time, like 2026-03-01 14:00.")
    aware = naive.replace(tzinfo=tz)
    # A wall-clock time skipped when the clocks go forward doesn't round-trip.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise BadLocalTime(f"That time doesn't exist in {tz.key}: the clocks change then.")
    return aware.astimezone(UTC)


def today(tz: ZoneInfo, now: datetime) -> date:
    return local(now, tz).date()


def at_local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `tz`, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def tomorrow_morning(tz: ZoneInfo, now: datetime) -> datetime:
    return at_local(today(tz, now) + timedelta(days=1), 9, tz)


def next_week_morning(tz: ZoneInfo, now: datetime) -> datetime:
    return at_local(today(tz, now) + timedelta(days=7), 9, tz)
