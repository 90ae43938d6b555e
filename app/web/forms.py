"""Form bodies in, service calls made, their errors turned into inline messages.

The web client builds the API's own pydantic input models from form fields and
calls the API's services; a ValidationError or ProblemError becomes a message next
to the field it is about, and nothing the failed attempt did is kept.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from app.core.errors import NotFound, ProblemError
from app.web.timefmt import BadLocalTime, parse_local

T = TypeVar("T")
FormValue = str | list[str]


class FieldProblems(Exception):
    """Raised while turning form fields into model input, for values no model would accept."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(dict(errors))
        self.errors = dict(errors)


@dataclass
class FormState:
    """What a form shows: the user's input, and a message per field that needs fixing."""

    values: dict[str, Any] = field(default_factory=dict)  # str, or list[str] for multi
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    status_code: int = 200
    # Element ids are "<prefix>-<field>": two forms on one page need different prefixes.
    prefix: str = "f"
    # Filled in by the templates as they draw each field, for the error summary.
    labels: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        raw = self.values.get(name, "")
        return raw if isinstance(raw, str) else ""

    def chosen(self, name: str) -> list[str]:
        raw = self.values.get(name, [])
        return raw if isinstance(raw, list) else [raw]

    def ordered_errors(self) -> list[tuple[str, str, str]]:
        """(field, its label, message), in the order the fields appear on the form."""
        order = {name: i for i, name in enumerate([*self.labels, *self.values])}
        names = sorted(self.errors, key=lambda n: order.get(n, len(order)))
        label = self.labels.get
        return [(n, label(n, n.replace("_", " ").capitalize()), self.errors[n]) for n in names]

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.summary)


def read_form(form: FormData, single: Iterable[str], multi: Iterable[str] = ()) -> FormState:
    """The named fields only (anything else, like the CSRF token, is left out)."""
    values: dict[str, FormValue] = {}
    for name in single:
        raw = form.get(name)
        values[name] = raw if isinstance(raw, str) else ""
    for name in multi:
        values[name] = [v for v in form.getlist(name) if isinstance(v, str) and v]
    return FormState(values=values)


def payload(
    state: FormState, names: Iterable[str], *, blank_as_none: bool, keep_blank: Collection[str] = ()
) -> dict[str, Any]:
    """Model input from text fields. Blank means "not given" on create and "clear" on edit;
    required fields keep their blank so the model says they are required."""
    data: dict[str, Any] = {}
    for name in names:
        raw = state.value(name)
        if raw.strip() or name in keep_blank:
            data[name] = raw
        elif blank_as_none:
            data[name] = None
    return data


def local_datetime(state: FormState, name: str, tz: ZoneInfo) -> Any:
    """A datetime-local field as an aware datetime, None when blank."""
    raw = state.value(name).strip()
    if not raw:
        return None
    try:
        return parse_local(raw, tz)
    except BadLocalTime as exc:
        raise FieldProblems({name: str(exc)}) from exc


def yes_no(state: FormState, name: str) -> bool | None:
    return {"yes": True, "no": False}.get(state.value(name))


_MESSAGES = {
    "missing": "This is required.",
    # A required field blanked on an edit form: the API's "leave it out" means nothing here.
    "null_not_allowed": "This is required.",
    "enum": "Choose one of the options.",
    "literal_error": "Choose one of the options.",
    "date_parsing": "Enter a date.",
    "date_from_datetime_parsing": "Enter a date.",
    "datetime_parsing": "Enter a date and time.",
    "datetime_from_date_parsing": "Enter a date and time.",
    "int_parsing": "Enter a whole number.",
    "uuid_parsing": "Choose one of the options.",
    "url_parsing": "Enter a web address starting with https://.",
    "url_scheme": "Enter a web address starting with https://.",
    "bool_parsing": "Choose yes or no.",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "This is required."
    if kind == "string_too_long":
        return f"Keep this to {ctx.get('max_length')} characters or fewer."
    if kind == "string_too_short":
        return f"Use at least {ctx.get('min_length')} characters."
    if kind == "greater_than_equal":
        return f"Enter {ctx.get('ge')} or more."
    if kind == "less_than_equal":
        return f"Enter {ctx.get('le')} or less."
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    msg = str(error.get("msg", "This value is not valid."))
    if "email address" in msg:
        return "Enter an email address like name@example.com."
    if "URL" in msg:
        return "Enter a web address starting with https://."
    msg = msg.removeprefix("Value error, ")
    msg = msg[:1].upper() + msg[1:]
    return msg if msg.endswith(".") else msg + "."


def _first_named(message: str, field_names: Collection[str]) -> str | None:
    found = [
        (match.start(), name)
        for name in field_names
        if (match := re.search(rf"\b{re.escape(name)}\b", message.lower()))
    ]
    return min(found)[1] if found else None


def _attach(
    state: FormState, loc: Sequence[Any], message: str, field_names: Collection[str]
) -> None:
    names = [str(part) for part in loc if isinstance(part, str) and part != "body"]
    target = names[0] if names else None
    if target is None:
        # Model-level checks ("ends_at must be after starts_at") name the field in words.
        target = _first_named(message, field_names)
    if target is not None and target in field_names:
        # "occurred_at is in the future" reads as "This is in the future" next to the field.
        if message.lower().startswith(f"{target} "):
            message = "This" + message[len(target) :]
        state.errors.setdefault(target, message)
    else:
        state.summary.append(message)


def apply_validation_error(
    state: FormState, exc: ValidationError, field_names: Collection[str]
) -> None:
    for error in exc.errors():
        _attach(state, error.get("loc", ()), _message(error), field_names)
    state.status_code = 422


def apply_problem(state: FormState, exc: ProblemError, field_names: Collection[str]) -> None:
    if exc.errors:
        for error in exc.errors:
            _attach(state, error.get("loc", ()), _message(error), field_names)
    else:
        state.summary.append(exc.detail)
    state.status_code = exc.status


async def attempt(
    session: AsyncSession,
    state: FormState,
    action: Callable[[], Awaitable[T]],
    *,
    keep: Sequence[object] = (),
) -> T | None:
    """Run `action` in a SAVEPOINT; on invalid input roll it back and fill `state` in.

    A service may change rows before it finds a problem (then raises); rolling back to
    the savepoint undoes exactly that, so the request's commit keeps nothing of it.
    Rows in `keep` that the rollback expired are loaded again for the re-shown page.
    404s are not about the form: they propagate to the "not found" page.
    """
    field_names = set(state.values)
    try:
        async with session.begin_nested():
            return await action()
    except FieldProblems as exc:
        state.errors.update(exc.errors)
        state.status_code = 422
    except ValidationError as exc:
        apply_validation_error(state, exc, field_names)
    except NotFound:
        raise
    except ProblemError as exc:
        apply_problem(state, exc, field_names)
    for row in keep:
        if inspect(row).expired_attributes:
            await session.refresh(row)
    return None
