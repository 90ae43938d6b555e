"""Keyset pagination with opaque cursors and a `Link: rel="next"` header."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, bindparam, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import BadRequest

T = TypeVar("T")
Row = TypeVar("Row")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_MAX_LENGTH = 500


LIMIT_DESCRIPTION = "Items per page."
CURSOR_DESCRIPTION = "From a previous page's `next_cursor`."


# async, though it awaits nothing: FastAPI runs a plain `def` dependency in a worker
# thread, a thread hand-off for two integers.
async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=CURSOR_MAX_LENGTH, description=CURSOR_DESCRIPTION)
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(sort_value: datetime, row_id: uuid.UUID | str) -> str:
    raw = json.dumps([sort_value.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_raw, id_raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        sort_value = datetime.fromisoformat(sort_raw)
        if sort_value.tzinfo is None:
            raise ValueError("naive")
        return sort_value, uuid.UUID(id_raw)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid: use a next_cursor from a previous page."
        ) from exc


def keyset(
    stmt: Select[Row],
    *,
    sort_column: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[uuid.UUID],
    params: PageParams,
) -> Select[Row]:
    """One page past the cursor, newest first, ties broken by id, plus one row to tell
    whether there is a next page (see `split_page`)."""
    if params.cursor is not None:
        stmt = stmt.where(after_cursor(sort_column, id_column)).params(cursor_params(params))
    return stmt.order_by(sort_column.desc(), id_column.desc()).limit(params.limit + 1)


def after_cursor(
    sort_column: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """Rows past the cursor, its values bound later (`cursor_params`)."""
    at = bindparam("cursor_at", type_=sort_column.type)
    return or_(sort_column < at, and_(sort_column == at, id_column < bindparam("cursor_id")))


def cursor_params(params: PageParams) -> dict[str, Any]:
    if params.cursor is None:
        return {}
    sort_value, row_id = decode_cursor(params.cursor)
    return {"cursor_at": sort_value, "cursor_id": row_id}


def split_page(
    rows: list[T], params: PageParams, key: Callable[[T], tuple[datetime, uuid.UUID | str]]
) -> tuple[list[T], str | None]:
    """The page and the cursor to the next one, from what `keyset` fetched."""
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, encode_cursor(*key(rows[-1]))


async def paginate(
    session: AsyncSession,
    stmt: Select[Row],
    *,
    sort_column: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[uuid.UUID],
    params: PageParams,
    bind: Mapping[str, Any] | None = None,
) -> tuple[Sequence[Row], str | None]:
    """Newest first by `sort_column`, ties broken by id, so the order is stable.

    `bind` holds the values of the statement's bound parameters, if it has any."""
    stmt = keyset(stmt, sort_column=sort_column, id_column=id_column, params=params)
    rows = list((await session.scalars(stmt, bind)).all())

    def key(row: Any) -> tuple[datetime, uuid.UUID]:
        return getattr(row, sort_column.key), getattr(row, id_column.key)

    return split_page(rows, params, key)


def set_next_link(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        response.headers["Link"] = next_link(request, next_cursor)


def next_link(request: Request, next_cursor: str) -> str:
    """The request's URL with `cursor=next_cursor`, as a `Link` header's value."""
    return f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
