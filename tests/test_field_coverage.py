"""Each field is named in its model and its schemas; every other place that lists fields
either derives its list from those or is checked here, so a new field that a place
neither handles nor leaves out on purpose (with a reason) fails a test naming the place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from sqlalchemy import inspect

from app.models import Base
from app.portability.schemas import Row


def columns(model: type[Base]) -> set[str]:
    return set(inspect(model).columns.keys())


def unaccounted(
    place: str, expected: Iterable[str], handled: Iterable[str], left_out: Mapping[str, str]
) -> list[str]:
    """What `place` should say about the fields in `expected` and doesn't: empty when each
    is either handled or left out with a reason, and nothing else is left out."""
    expected, handled, left = set(expected), set(handled), set(left_out)
    missing = sorted(expected - handled - left)
    problems = [f"{place}: handle {name!r} or leave it out with a reason" for name in missing]
    problems += [f"{place}: {name!r} is both handled and left out" for name in handled & left]
    problems += [f"{place}: leaves out {name!r}, which isn't there" for name in left - expected]
    problems += [f"{place}: give a reason for leaving out {n!r}" for n in left if not left_out[n]]
    return problems


@pytest.mark.parametrize("doc", Row.__subclasses__(), ids=lambda doc: doc.__name__)
def test_the_export_copies_or_leaves_out_every_column(doc: type[Row]) -> None:
    place = f"app/portability/schemas.py {doc.__name__}"
    copied = set(doc.model_fields) - doc.links
    assert doc.links <= set(doc.model_fields), f"{place}: links names a field it doesn't have"
    assert copied <= columns(doc.model), (
        f"{place}: {sorted(copied - columns(doc.model))} aren't columns of "
        f"{doc.model.__name__}: name them in links"
    )
    assert unaccounted(place, columns(doc.model), copied, doc.left_out) == []
