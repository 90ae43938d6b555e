"""The schema's examples are bodies the server would accept and could send."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from app.applications.schemas import ApplicationCreate, ApplicationOut, ApplicationPatch
from app.core import examples
from app.core.migrations import PROJECT_ROOT
from app.events.schemas import EventCreate, EventOut
from app.interviews.schemas import InterviewCreate, InterviewOut
from app.people.schemas import InterviewerCreate, InterviewerOut, ReferenceCreate, ReferenceOut

SCHEMA = PROJECT_ROOT / "openapi" / "openapi.json"
CASES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ApplicationCreate, examples.APPLICATION_CREATE),
    (ApplicationPatch, examples.APPLICATION_PATCH),
    (ApplicationOut, examples.APPLICATION_OUT),
    (InterviewCreate, examples.INTERVIEW_CREATE),
    (InterviewOut, examples.INTERVIEW_OUT),
    (InterviewerCreate, examples.INTERVIEWER_CREATE),
    (InterviewerOut, examples.INTERVIEWER_OUT),
    (ReferenceCreate, examples.REFERENCE_CREATE),
    (ReferenceOut, examples.REFERENCE_OUT),
    (EventCreate, examples.EVENT_CREATE),
    (EventOut, examples.EVENT_OUT),
]


@pytest.mark.parametrize(("model", "example"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_each_example_is_valid_and_a_response_example_is_complete(
    model: type[BaseModel], example: dict[str, Any]
) -> None:
    model.model_validate(example)
    assert model.model_json_schema()["examples"] == [example]
    if model.__name__.endswith("Out"):
        assert set(example) == set(model.model_fields)


def test_the_published_schema_keeps_the_examples_whole_nulls_included() -> None:
    document = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for model, example in CASES:
        assert document["components"]["schemas"][model.__name__]["examples"] == [example]
