"""Each field is named in its model and its schemas; every other place that lists fields
either derives its list from those or is checked here, so a new field that a place
neither handles nor leaves out on purpose (with a reason) fails a test naming the place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import inspect

from app.applications.schemas import ApplicationCreate, ApplicationOut, ApplicationPatch
from app.integrations.apply import NEEDED_FIRST
from app.integrations.inbound_schemas import ApplicationRef
from app.models import Application, Base
from app.portability import csv_export
from app.portability.schemas import Row
from app.recommendations import loader
from app.web.routes import applications as web


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


def test_the_web_form_reads_or_leaves_out_every_input_field() -> None:
    place = "app/web/routes/applications.py NOT_ON_FORM"
    # The edit form reads the create form's fields into an ApplicationPatch.
    assert set(ApplicationPatch.model_fields) == set(ApplicationCreate.model_fields)
    fields = ApplicationCreate.model_fields
    read = {*web.FIELDS, *web.CHECKBOXES}
    assert unaccounted(place, fields, read, web.NOT_ON_FORM) == []
    special = {"status", *web.YES_NO, *web.LOCAL_TIMES}
    assert special <= set(web.FIELDS), f"{place}: reads {sorted(special - set(web.FIELDS))}"


def test_the_application_page_shows_or_leaves_out_every_field() -> None:
    place = "app/web/templates/applications/detail.html"
    template = Path(web.__file__).parents[1] / "templates/applications/detail.html"
    named = set(re.findall(r"\ba\.(\w+)", template.read_text()))
    fields = ApplicationOut.model_fields
    shown = named & set(fields)
    assert unaccounted(place, fields, shown, web.NOT_ON_PAGE) == []


def test_the_policy_engine_gets_or_leaves_out_every_application_column() -> None:
    place = "app/recommendations/loader.py NOT_FOR_POLICY (or ApplicationIn)"
    selected = loader.APPLICATION_FIELDS
    assert unaccounted(place, columns(Application), selected, loader.NOT_FOR_POLICY) == []


def test_an_inbound_event_sets_or_leaves_out_every_input_field() -> None:
    place = "app/integrations/inbound_schemas.py ApplicationRef.not_sent"
    sent = ApplicationRef.model_fields
    assert unaccounted(place, ApplicationCreate.model_fields, sent, ApplicationRef.not_sent) == []
    assert set(sent) >= set(NEEDED_FIRST), f"{place}: the fields needed first must be sendable"
