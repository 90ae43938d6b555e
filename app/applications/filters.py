"""The application list's filters, as clauses with bound parameters.

The clauses depend only on which filters are used (the `shape`), never on their
values, which travel as parameters: so the list endpoint can build its statement
once per shape and reuse it (see listing.py), and every path filters the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, String, bindparam, or_

from app.core.pagination import (
    CURSOR_DESCRIPTION,
    CURSOR_MAX_LENGTH,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_LIMIT,
    PageParams,
)
from app.core.types import Timestamp
from app.models import Application
from app.models.base import UTCDateTime
from app.models.enums import ACTIVE_STATUSES, ApplicationStatus

_ACTIVE = [s.value for s in ACTIVE_STATUSES]

Shape = tuple[bool, bool | None, bool, bool]
Q_MAX_LENGTH = 200  # characters of the search text


class ListQuery(BaseModel):
    """The list's query parameters; one it doesn't know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    status: list[ApplicationStatus] | None = Field(
        default=None, description="Only these statuses (repeatable)."
    )
    active: bool | None = Field(default=None, description="true: applied, interviewing or offer.")
    q: str | None = Field(
        default=None, max_length=Q_MAX_LENGTH, description="Search company and role."
    )
    updated_since: Timestamp | None = Field(
        default=None, description="Only those changed at or after this time."
    )
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)
    cursor: str | None = Field(
        default=None, max_length=CURSOR_MAX_LENGTH, description=CURSOR_DESCRIPTION
    )

    @property
    def page(self) -> PageParams:
        return PageParams(limit=self.limit, cursor=self.cursor)

    @property
    def filters(self) -> ListFilters:
        return ListFilters(self.status or (), self.active, self.q, self.updated_since)


@dataclass(frozen=True, slots=True)
class ListFilters:
    statuses: Sequence[ApplicationStatus] = ()
    active: bool | None = None
    q: str | None = None
    updated_since: datetime | None = None

    @property
    def shape(self) -> Shape:
        return (bool(self.statuses), self.active, bool(self.q), self.updated_since is not None)

    def params(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if self.statuses:
            values["statuses"] = [s.value for s in self.statuses]
        if self.q:
            values["pattern"] = f"%{_escape_like(self.q.strip().lower())}%"
        if self.updated_since is not None:
            values["updated_since"] = self.updated_since
        return values


def clauses(shape: Shape) -> list[ColumnElement[bool]]:
    statuses, active, q, updated_since = shape
    where: list[ColumnElement[bool]] = []
    if statuses:
        where.append(Application.status.in_(bindparam("statuses", expanding=True)))
    if active is not None:
        where.append(
            Application.status.in_(_ACTIVE) if active else Application.status.not_in(_ACTIVE)
        )
    if q:
        pattern = bindparam("pattern", type_=String())
        where.append(
            or_(
                Application.company.ilike(pattern, escape="\\"),
                Application.role_title.ilike(pattern, escape="\\"),
            )
        )
    if updated_since:
        where.append(Application.updated_at >= bindparam("updated_since", type_=UTCDateTime))
    return where


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
