"""ORM instances from rows read or written without the ORM (see app/core/driver.py).

A few hot paths read or insert a row with a Core statement, because the ORM's
loading or unit of work cost more than the statement itself, yet the code after
them wants the usual ORM object (to read, to change, to serialise). Such a statement
selects or returns `columns_of(Entity)`, and `attach_loaded` puts the row into the
session exactly as if the session had loaded it: persistent, every column loaded
and unchanged, so nothing is queried or written for it unless the caller changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Insert, bindparam, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.sql.elements import NamedColumn

T = TypeVar("T")


# Per entity: its columns, their attribute names, and where its primary key sits.
_Layout = tuple[tuple[NamedColumn[Any], ...], tuple[str, ...], tuple[int, ...]]
_layouts: dict[type, _Layout] = {}


def _layout(entity: type) -> _Layout:
    layout = _layouts.get(entity)
    if layout is None:
        mapper: Mapper[Any] = inspect(entity)
        attributes = mapper.column_attrs
        columns = tuple(attribute.columns[0] for attribute in attributes)
        primary_key = tuple(columns.index(column) for column in mapper.primary_key)
        names = tuple(attribute.key for attribute in attributes)
        layout = _layouts[entity] = (columns, names, primary_key)
    return layout


def columns_of(entity: type) -> tuple[NamedColumn[Any], ...]:
    """What a statement selects or returns for `attach_loaded`, in this order."""
    return _layout(entity)[0]


def values_of(entity: type, values: Sequence[Any]) -> dict[str, Any]:
    """A row of `columns_of(entity)` as {attribute name: value}, for a caller that
    needs no ORM instance."""
    return dict(zip(_layout(entity)[1], values, strict=True))


def attach_loaded(session: AsyncSession, entity: type[T], values: Sequence[Any]) -> T:
    """The `entity` with these values of `columns_of(entity)`, in the session as loaded;
    the session's own instance if it already holds that row."""
    _, names, primary_key = _layout(entity)
    mapper: Mapper[Any] = inspect(entity)
    key = mapper.identity_key_from_primary_key(tuple(values[i] for i in primary_key))
    known = session.identity_map.get(key)
    if isinstance(known, entity):
        return known
    # As the ORM's own loading makes one: no __init__ (whose every assignment fires the
    # change events a loaded value doesn't need), the values straight into its
    # __dict__, then marked unchanged and persistent. Half the cost of the constructor.
    instance: T = mapper.class_manager.new_instance()
    instance.__dict__.update(zip(names, values, strict=True))
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def insert_where(entity: type, condition: ColumnElement[bool]) -> Insert:
    """INSERT INTO entity's table (every column) SELECT :column, ... WHERE `condition`,
    RETURNING `columns_of(entity)`: the row, or no row where the condition didn't hold,
    in one statement. Each column's value is the bound parameter named after it, which
    `insert_values` fills; `condition` may use those parameters too."""
    columns = columns_of(entity)
    for column in columns:
        if column.server_default is not None:
            # Naming every column would override what the server fills in.
            raise ValueError(f"{column} has a server default: not for insert_where")
    values = select(*(bindparam(column.key, type_=column.type) for column in columns))
    return (
        insert(entity)
        .from_select([column.key for column in columns], values.where(condition))
        .returning(*columns)
    )


def insert_values(entity: type, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every column's value for `insert_where`'s statement: `given`'s, else what the
    model's Python-side default makes (a fresh id, the time now), else None."""
    values: dict[str, Any] = {}
    for column in columns_of(entity):
        if column.key in given:
            values[column.key] = given[column.key]
        elif column.default is None:
            values[column.key] = None
        elif column.default.is_callable:
            values[column.key] = column.default.arg(None)
        elif column.default.is_scalar:
            values[column.key] = column.default.arg
        else:
            raise ValueError(f"{column}'s default is made by the database: not supported")
    return values
