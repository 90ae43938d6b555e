"""Keyset pagination with opaque cursors and a `Link: rel="next"` header."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_
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


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=500, description="From a previous page's `next_cursor`.")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(sort_value: datetime, row_id: uuid.UUID) -> str:
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


async def paginate(
    session: AsyncSession,
    stmt: Select[Row],
    *,
    sort_column: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[uuid.UUID],
    params: PageParams,
) -> tuple[Sequence[Row], str | None]:
    """Newest first by `sort_column`, ties broken by id, so the order is stable."""
    if params.cursor is not None:
        sort_value, row_id = decode_cursor(params.cursor)
        stmt = stmt.where(
            or_(sort_column < sort_value, and_(sort_column == sort_value, id_column < row_id))
        )
    stmt = stmt.order_by(sort_column.desc(), id_column.desc()).limit(params.limit + 1)
    rows = list((await session.scalars(stmt)).all())
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    last: Any = rows[-1]
    return rows, encode_cursor(getattr(last, sort_column.key), getattr(last, id_column.key))


def set_next_link(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
