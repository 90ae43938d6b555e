"""Small wording helpers shared by rationales, titles and drafts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Greeting "Hi Dr.," reads wrong; with one of these we greet by honorific + surname instead.
_HONORIFICS = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame"})


def clean_uncached(value: str | None) -> str | None:
    """User-entered text on one line, single-spaced; None when there is nothing to say."""
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


clean = lru_cache(maxsize=4096)(clean_uncached)


@lru_cache(maxsize=4096)
def clean_phrase(value: str | None) -> str | None:
    """Like clean(), minus a trailing full stop, so the phrase can sit inside our sentence."""
    text = clean(value)
    if text is None:
        return None
    return text.rstrip(" .;,") or None


@lru_cache(maxsize=4096)
def greeting_name(full_name: str | None) -> str | None:
    """What to put after "Hi": the first name, or "Dr. Smith" when the name has an honorific."""
    return greeting_of_clean(clean(full_name))


def greeting_of_clean(name: str | None) -> str | None:
    """greeting_name for a name that has already been through clean()."""
    if name is None:
        return None
    words = name.split(" ")
    if words[0].rstrip(".").lower() in _HONORIFICS:
        return f"{words[0]} {words[-1]}" if len(words) > 1 else None
    return words[0]


def day_label(day: date, reference: date) -> str:
    """A calendar day such as 3 March, with the year only when it differs from the reference."""
    label = f"{day.day} {_MONTHS[day.month - 1]}"
    return label if day.year == reference.year else f"{label} {day.year}"


def moment_label(moment: datetime, zone: ZoneInfo, reference: datetime) -> str:
    return day_label(moment.astimezone(zone).date(), reference.astimezone(zone).date())


def elapsed_label(span: timedelta) -> str:
    days = span // timedelta(days=1)
    if days <= 0:
        return "less than a day"
    return "1 day" if days == 1 else f"{days} days"


def truncate_words(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so a long name never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"
