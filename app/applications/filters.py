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

from sqlalchemy import ColumnElement, String, bindparam, or_

from app.models import Application
from app.models.base import UTCDateTime
from app.models.enums import ACTIVE_STATUSES, ApplicationStatus

_ACTIVE = [s.value for s in ACTIVE_STATUSES]

Shape = tuple[bool, bool | None, bool, bool]
Q_MAX_LENGTH = 200  # characters of the search text


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
