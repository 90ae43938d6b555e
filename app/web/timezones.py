"""The timezone choices offered in forms."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache


@lru_cache
def timezone_choices() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted, with UTC first."""
    names = sorted(zoneinfo.available_timezones() - {"UTC"})
    return ("UTC", *names)
