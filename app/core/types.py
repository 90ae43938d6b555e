"""Annotated field types shared by the request schemas: lengths, URLs, timezones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
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
    GetJsonSchemaHandler,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

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
    Field(
        examples=["https://example.com/jobs/123"],
        description="An absolute http:// or https:// URL.",
        json_schema_extra={"format": "uri", "pattern": "^\\s*[Hh][Tt][Tt][Pp][Ss]?://"},
    ),
]
# The shape of an IANA name ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires",
# "Etc/GMT+5"); the server also checks the name exists in its timezone database.
TIMEZONE_PATTERN = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"
TimezoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_valid_timezone),
    Field(
        examples=["Europe/Berlin"],
        description="An IANA timezone name, e.g. `Europe/Berlin` or `UTC`.",
        json_schema_extra={"pattern": TIMEZONE_PATTERN},
    ),
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


def _in_utc(value: datetime) -> datetime:
    # Stored in UTC, and so answered in UTC (with `Z`) from the create on: the same
    # instant never reads two ways between a POST's answer and a later GET.
    return value.astimezone(UTC)


# The year range, as the schema can say it: the text starts with a year 1900-2999.
IN_RANGE = {"pattern": "^(19[0-9]{2}|2[0-9]{3})-"}

# A datetime with an offset, given as RFC 3339 text (a naive one is ambiguous: refused).
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_not_a_number),
    AfterValidator(_in_range),
    AfterValidator(_in_utc),
    Field(json_schema_extra=IN_RANGE),
]
# A calendar day, given as YYYY-MM-DD.
Day = Annotated[
    date,
    BeforeValidator(_not_a_number),
    AfterValidator(_in_range),
    Field(json_schema_extra=IN_RANGE),
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value)


class TextInput(BaseModel):
    """Whatever a client sends: no text with a NUL character (U+0000), which is valid JSON
    but which PostgreSQL can't store; refused as a 422 on its field, not a 500 there."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise PydanticCustomError("nul_character", "Text can't contain the NUL character.")
        return value


class InputModel(TextInput):
    """Request bodies: unknown (and read-only) fields are rejected, never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PatchModel(InputModel):
    """Partial updates: absent fields stay as they are; `null` clears an optional field.

    Fields listed in `required_fields` may be left out but not set to null, and the
    schema says so: they are not nullable there, and have no default a client could
    send back. (The Python type stays `X | None`, None meaning "left out".)
    """

    required_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.required_fields:
            raise PydanticCustomError(
                "null_not_allowed",
                "{field} can't be null: leave it out to keep it as it is.",
                {"field": info.field_name},
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        for name in cls.required_fields:
            if name in properties:
                _not_nullable(properties[name])
        return schema

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


def _not_nullable(prop: dict[str, Any]) -> None:
    options = [o for o in prop.pop("anyOf", [prop]) if o.get("type") != "null"]
    if len(options) == 1 and options[0] is not prop:
        prop.update(options[0])
    elif options and options[0] is not prop:
        prop["anyOf"] = options
    if prop.get("default", ...) is None:
        del prop["default"]
