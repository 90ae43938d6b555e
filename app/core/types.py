"""Annotated field types shared by the request schemas: lengths, URLs, timezones."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

_http_url = TypeAdapter(HttpUrl)
DateOrTime = TypeVar("DateOrTime", date, datetime)


def _valid_http_url(value: str) -> str:
    # Validate with pydantic but keep the user's spelling (HttpUrl would add a slash).
    parsed = _http_url.validate_python(value)
    if parsed.scheme not in ("http", "https"):
        raise ValueError("URL must start with http:// or https://")
    return value


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"'{value}' is not an IANA timezone such as 'Europe/Berlin'") from exc
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(examples=["Ada Lovelace"]),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Email = Annotated[EmailStr, StringConstraints(max_length=320), Field(examples=["ada@example.com"])]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048),
    AfterValidator(_valid_http_url),
    Field(examples=["https://example.com/jobs/123"]),
]
TimezoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_valid_timezone),
    Field(examples=["Europe/Berlin"], description="An IANA timezone name."),
]


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    # Pydantic would read 1700000000 (or "0.5") as a Unix timestamp; the API speaks
    # RFC 3339 / ISO 8601 only, as its schema says, so a number is refused, not guessed at.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("Give a date or time as text, e.g. 2026-03-01T14:00:00+01:00.")
    return value


# Dates a job search can have. Python's datetimes end at the years 1 and 9999, and the
# policy engine adds and subtracts days (a day before an interview, a week after an
# inquiry): a date at either end would overflow there and answer 500 instead of 422.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _in_range(value: DateOrTime) -> DateOrTime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}.")
    return value


# A datetime with an offset, given as RFC 3339 text (a naive one is ambiguous: refused).
Timestamp = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_in_range)]
# A calendar day, given as YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_in_range)]


class InputModel(BaseModel):
    """Request bodies: unknown (and read-only) fields are rejected, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PatchModel(InputModel):
    """Partial updates: absent fields stay as they are; `null` clears an optional field.

    Fields listed in `required_fields` may be left out but not set to null.
    """

    required_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(f for f in cls.required_fields if f in data and data[f] is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null")
        return data

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
