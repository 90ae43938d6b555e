"""Each field is named in its model and its schemas; every other place that lists fields
either derives its list from those or is checked here, so a new field that a place
neither handles nor leaves out on purpose (with a reason) fails a test naming the place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from sqlalchemy import inspect

from app.models import Application, Base
from app.portability import csv_export
from app.portability.schemas import Row


def columns(model: type[Base]) -> set[str]:
    return set(inspect(model).columns.keys())


def unaccounted(
    place: str, expected: Iterable[str], handled: Iterable[str], left_out: Mapping[str, str]
) -> list[str]:
    """What `place` should say about the fields in `expected` and doesn't: empty when each
    is either handled or left out with a reason, and nothing else is named."""
    expected, handled, left = set(expected), set(handled), set(left_out)
    missing = sorted(expected - handled - left)
    problems = [f"{place}: handle {name!r} or leave it out with a reason" for name in missing]
    problems += [f"{place}: {name!r} is both handled and left out" for name in handled & left]
    problems += [f"{place}: names {name!r}, which isn't there" for name in handled - expected]
    problems += [f"{place}: leaves out {name!r}, which isn't there" for name in left - expected]
    problems += [f"{place}: give a reason for leaving out {n!r}" for n in left if not left_out[n]]
    return problems


@pytest.mark.parametrize("doc", Row.__subclasses__(), ids=lambda doc: doc.__name__)
def test_the_export_copies_or_leaves_out_every_column(doc: type[Row]) -> None:
    place = f"app/portability/schemas.py {doc.__name__}"
    # Fields made from other rows are its links; every other field must be a column.
    copied = set(doc.model_fields) - doc.links
    assert set(doc.model_fields) >= doc.links, f"{place}: links names a field it doesn't have"
    assert unaccounted(place, columns(doc.model), copied, doc.left_out) == []


def test_the_csv_shows_or_leaves_out_every_application_column() -> None:
    place = "app/portability/csv_export.py COLUMNS"
    assert unaccounted(place, columns(Application), csv_export.SHOWN, csv_export.NOT_SHOWN) == []
