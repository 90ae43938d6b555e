"""ORM instances from rows read or written without the ORM (see app/core/driver.py).

A few hot paths read or insert a row with a Core statement, because the ORM's
loading or unit of work cost more than the statement itself, yet the code after
them wants the usual ORM object (to read, to change, to serialise). `attach_loaded`
puts such an object into the session exactly as if the session had loaded it:
persistent, every column loaded and unchanged, so nothing is queried or written for
it unless the caller changes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

T = TypeVar("T")


def attach_loaded(session: AsyncSession, entity: type[T], columns: Mapping[str, Any]) -> T:
    """The `entity` with these column values (by attribute name), in the session as
    loaded; the session's own instance if it already holds that row."""
    mapper = inspect(entity)
    key = mapper.identity_key_from_primary_key(
        [columns[mapper.get_property_by_column(c).key] for c in mapper.primary_key]
    )
    known = session.identity_map.get(key)
    if isinstance(known, entity):
        return known
    instance = entity(**columns)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
