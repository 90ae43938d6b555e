"""Query helpers shared by the resource services."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound

M = TypeVar("M")


async def get_owned(
    session: AsyncSession,
    model: type[M],
    user_id: uuid.UUID,
    row_id: uuid.UUID,
    what: str,
    *options: Any,
) -> M:
    """The row if the user owns it; otherwise 404, whether it is missing or someone else's."""
    stmt = select(model).where(
        model.id == row_id,  # type: ignore[attr-defined]
        model.owner_id == user_id,  # type: ignore[attr-defined]
    )
    row = await session.scalar(stmt.options(*options))
    if row is None:
        raise NotFound(what)
    return row


def apply_changes(row: object, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(row, field, value)


async def owned_by_id(
    session: AsyncSession, model: type[M], user_id: uuid.UUID, ids: set[uuid.UUID], *options: Any
) -> dict[uuid.UUID, M]:
    """The user's rows among these ids, in one query (others' and missing ones left out)."""
    if not ids:
        return {}
    stmt = select(model).where(
        model.id.in_(ids),  # type: ignore[attr-defined]
        model.owner_id == user_id,  # type: ignore[attr-defined]
    )
    rows = (await session.scalars(stmt.options(*options))).all()
    return {row.id: row for row in rows}  # type: ignore[attr-defined]
