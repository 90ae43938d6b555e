"""Snapshots of the whole database, to assert that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Base

# Bookkeeping tables that legitimately change on any request (token last use,
# failed logins, idempotency records) are not part of "the user's data".
IGNORED_TABLES = frozenset({"api_tokens", "login_failures", "idempotency_records"})


async def snapshot(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    state: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        rows = (await session.execute(select(table))).all()
        state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return state
