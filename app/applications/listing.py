"""The application list, read as plain rows and written straight to JSON bytes.

It is the most requested read (every client's home screen, every sync), so it skips
what a list doesn't need. Profiled (README, "Performance"), most of the request went
to building SQLAlchemy statements, one ORM object per row with its identity-map
bookkeeping, a second query for the reference ids (selectinload), an
`ApplicationOut` per row and FastAPI's validation of the whole page. Here one
statement, built once per combination of filters with every value bound, reads the
page's columns with the reference ids joined on; pydantic-core's encoder (the one
FastAPI uses) writes the JSON, so the body is what `Page[ApplicationOut]` gives and
the route still declares that model for the schema.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.filters import ListFilters, Shape, clauses
from app.applications.schemas import ApplicationOut
from app.core.pagination import PageParams, after_cursor, cursor_params, split_page
from app.models import Application
from app.models.application import application_references

FIELDS = tuple(ApplicationOut.model_fields)
COLUMNS = tuple(getattr(Application, name) for name in FIELDS if name != "reference_ids")


@lru_cache(maxsize=64)
def _statement(shape: Shape, past_cursor: bool) -> Select[Any]:
    page = (
        select(*COLUMNS)
        .where(Application.owner_id == bindparam("owner_id"), *clauses(shape))
        .where(*([after_cursor(Application.created_at, Application.id)] if past_cursor else []))
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    links = application_references
    # The page is limited first, then its reference ids joined on: still one statement,
    # and the limit counts applications, not (application, reference) pairs.
    return (
        select(page, links.c.reference_id)
        .outerjoin(links, links.c.application_id == page.c.id)
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


def _key(item: dict[str, Any]) -> tuple[datetime, uuid.UUID]:
    return item["created_at"], item["id"]


async def list_page(
    session: AsyncSession, owner_id: uuid.UUID, params: PageParams, filters: ListFilters
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of `ApplicationOut`-shaped dicts, newest first, and the next cursor."""
    # Through the session's connection: a Core statement needs none of the ORM's
    # execution machinery (entity loading, identity map), which the session would run.
    connection = await session.connection()
    rows = await connection.execute(
        _statement(filters.shape, params.cursor is not None),
        {
            "owner_id": owner_id,
            "limit": params.limit + 1,  # one more tells whether there is a next page
            **filters.params(),
            **cursor_params(params),
        },
    )
    items: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        item = items.get(row.id)
        if item is None:
            values = row._mapping
            item = items[row.id] = {
                name: [] if name == "reference_ids" else values[name] for name in FIELDS
            }
        if row.reference_id is not None:
            item["reference_ids"].append(row.reference_id)
    for item in items.values():
        item["reference_ids"].sort(key=str)  # as ApplicationOut.of orders them
    return split_page(list(items.values()), params, _key)


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> bytes:
    return to_json({"items": items, "next_cursor": next_cursor})
