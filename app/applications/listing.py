"""The application list, read as plain rows and written straight to JSON bytes.

It is the most requested read (every client's home screen, every sync), so it skips
what a list doesn't need: profiled, most of a page's time went to building
statements, one ORM object per row with its identity-map bookkeeping, a second query
for the reference ids (selectinload), an `ApplicationOut` per row and FastAPI's
validation of the whole page. Here one Core statement, built once per combination of
filters with every value bound, reads the page's columns with the reference ids
(gathered into an array by PostgreSQL, joined on elsewhere); orjson writes the JSON,
about six times faster than pydantic-core's encoder for a page.
The body is what `Page[ApplicationOut]` gives (a test compares every item with the
single-application answer, on both databases), and the route still declares that
model for the schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Select, Subquery, Text, bindparam, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.filters import ListFilters, Shape, clauses
from app.applications.schemas import ApplicationOut
from app.core.pagination import PageParams, after_cursor, cursor_params, split_page
from app.models import Application
from app.models.application import application_references

FIELDS = tuple(ApplicationOut.model_fields)
COLUMNS = tuple(getattr(Application, name) for name in FIELDS if name != "reference_ids")


@lru_cache(maxsize=64)
def _query(shape: Shape, past_cursor: bool, postgresql: bool) -> Select[Any]:
    page = (
        select(*COLUMNS)
        .where(Application.owner_id == bindparam("owner_id"), *clauses(shape))
        .where(*([after_cursor(Application.created_at, Application.id)] if past_cursor else []))
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    return _with_reference_ids(page, postgresql)


@lru_cache(maxsize=2)
def _one_query(postgresql: bool) -> Select[Any]:
    row = (
        select(*COLUMNS)
        .where(Application.owner_id == bindparam("owner_id"), Application.id == bindparam("id"))
        .subquery()
    )
    return _with_reference_ids(row, postgresql)


def _with_reference_ids(page: Subquery, postgresql: bool) -> Select[Any]:
    """The applications of `page`, newest first, each with its reference ids."""
    links = application_references
    newest_first = (page.c.created_at.desc(), page.c.id.desc())
    if postgresql:
        # One row per application, its reference ids gathered by the server in the
        # order ApplicationOut.of gives them (a uuid sorts as its text does), ids as
        # text: no grouping here.
        reference_ids = (
            select(cast(links.c.reference_id, Text))
            .where(links.c.application_id == page.c.id)
            .order_by(links.c.reference_id)
        )
        as_text = {
            "id": cast(page.c.id, Text).label("id"),
            "reference_ids": func.array(reference_ids.scalar_subquery()).label("reference_ids"),
        }
        columns = [as_text[name] if name in as_text else page.c[name] for name in FIELDS]
        return select(*columns).order_by(*newest_first)
    # Elsewhere the page is limited first, then its reference ids joined on: still one
    # statement, and the limit counts applications, not (application, reference)
    # pairs. Columns come in ApplicationOut's order, a reference id where the list of
    # them goes, so a row zips with FIELDS into an item.
    columns = [links.c.reference_id if name == "reference_ids" else page.c[name] for name in FIELDS]
    return (
        select(*columns)
        .select_from(page.outerjoin(links, links.c.application_id == page.c.id))
        .order_by(*newest_first)
    )


_ID = FIELDS.index("id")
_REFERENCE = FIELDS.index("reference_ids")


def _key(item: dict[str, Any]) -> tuple[datetime, uuid.UUID | str]:
    return item["created_at"], item["id"]


async def list_page(
    session: AsyncSession, owner_id: uuid.UUID, params: PageParams, filters: ListFilters
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of `ApplicationOut`-shaped dicts, newest first, and the next cursor."""
    postgresql = _is_postgresql(session)
    query = _query(filters.shape, params.cursor is not None, postgresql)
    rows = (await session.execute(query, _values(owner_id, params, filters))).all()
    if postgresql:
        return _page_of(rows, params)
    return split_page(_grouped(rows), params, _key)


async def one_item(
    session: AsyncSession, owner_id: uuid.UUID, application_id: uuid.UUID
) -> dict[str, Any] | None:
    """The owner's application as an `ApplicationOut`-shaped dict, or None."""
    postgresql = _is_postgresql(session)
    params = {"owner_id": owner_id, "id": application_id}
    rows = (await session.execute(_one_query(postgresql), params)).all()
    items = [dict(zip(FIELDS, row, strict=True)) for row in rows] if postgresql else _grouped(rows)
    return items[0] if items else None


def _is_postgresql(session: AsyncSession) -> bool:
    bind = session.bind
    return bind is not None and bind.dialect.name == "postgresql"


def _values(owner_id: uuid.UUID, params: PageParams, filters: ListFilters) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "limit": params.limit + 1,  # one more tells whether there is a next page
        **filters.params(),
        **cursor_params(params),
    }


def _page_of(rows: Sequence[Any], params: PageParams) -> tuple[list[dict[str, Any]], str | None]:
    """From PostgreSQL's rows: one per application, in `FIELDS` order."""
    return split_page([dict(zip(FIELDS, row, strict=True)) for row in rows], params, _key)


def _grouped(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Items from (application, one of its reference ids) rows."""
    items: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        reference_id = row[_REFERENCE]
        item = items.get(row[_ID])
        if item is None:
            item = items[row[_ID]] = dict(zip(FIELDS, row, strict=True))
            item["reference_ids"] = []
        if reference_id is not None:
            item["reference_ids"].append(reference_id)
    for item in items.values():
        if len(item["reference_ids"]) > 1:
            item["reference_ids"].sort(key=str)  # as ApplicationOut.of orders them
    return list(items.values())


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> bytes:
    return item_json({"items": items, "next_cursor": next_cursor})


def item_json(document: dict[str, Any]) -> bytes:
    # `default=str`: asyncpg's UUID is a subclass orjson leaves to the fallback.
    # OPT_UTC_Z: UTC as "Z", as pydantic writes it.
    return orjson.dumps(document, default=str, option=orjson.OPT_UTC_Z)
