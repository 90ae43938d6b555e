"""Checks across a whole export document: every id unique, every link resolvable.

Field-level checks are the pydantic models' job; these are the ones that need the
whole document. Each problem is reported with its location, e.g.
["applications", 3, "interviews", 0, "interviewer_ids", 1], so a hand-edited file
can be fixed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from app.portability.schemas import ApplicationDoc, Document

Loc = tuple[str | int, ...]
ErrorItem = dict[str, Any]


def _error(loc: Loc, msg: str, kind: str = "value_error") -> ErrorItem:
    return {"loc": list(loc), "msg": msg, "type": kind}


def _all_ids(doc: Document) -> Iterator[tuple[Loc, uuid.UUID]]:
    for i, ref in enumerate(doc.references):
        yield ("references", i, "id"), ref.id
    for a, app in enumerate(doc.applications):
        yield ("applications", a, "id"), app.id
        for kind in ("interviewers", "interviews", "events"):
            for i, item in enumerate(getattr(app, kind)):
                yield ("applications", a, kind, i, "id"), item.id


def document_ids(doc: Document) -> set[uuid.UUID]:
    return {item_id for _, item_id in _all_ids(doc)}


def check_document(doc: Document) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    seen: set[uuid.UUID] = set()
    for loc, item_id in _all_ids(doc):
        if item_id in seen:
            errors.append(_error(loc, f"The id {item_id} appears more than once.", "duplicate"))
        seen.add(item_id)
    references = {ref.id for ref in doc.references}
    external_ids: set[tuple[str, str]] = set()
    for a, app in enumerate(doc.applications):
        base: Loc = ("applications", a)
        for r, ref_id in enumerate(app.reference_ids):
            if ref_id not in references:
                errors.append(_error((*base, "reference_ids", r), _missing("reference", ref_id)))
        if app.external_id is not None:
            key = (app.source, app.external_id)
            if key in external_ids:
                errors.append(
                    _error((*base, "external_id"), "Another application has this external_id.")
                )
            external_ids.add(key)
        errors.extend(_check_application(base, app, references))
    for s, state in enumerate(doc.recommendation_states):
        if not (state.dismissed_at or state.snoozed_until):
            errors.append(
                _error(("recommendation_states", s), "Give dismissed_at or snoozed_until.")
            )
    return errors


def _check_application(base: Loc, app: ApplicationDoc, references: set[uuid.UUID]) -> list[Any]:
    errors = []
    people = {p.id for p in app.interviewers}
    interviews = {i.id for i in app.interviews}
    for i, interview in enumerate(app.interviews):
        for p, person_id in enumerate(interview.interviewer_ids):
            if person_id not in people:
                loc = (*base, "interviews", i, "interviewer_ids", p)
                errors.append(_error(loc, _missing("interviewer of this application", person_id)))
    for e, event in enumerate(app.events):
        links = (
            ("interviewer_id", event.interviewer_id, people, "interviewer of this application"),
            ("interview_id", event.interview_id, interviews, "interview of this application"),
            ("reference_id", event.reference_id, references, "reference"),
        )
        for field, value, known, what in links:
            if value is not None and value not in known:
                errors.append(_error((*base, "events", e, field), _missing(what, value)))
    return errors


def _missing(what: str, item_id: uuid.UUID) -> str:
    return f"No {what} in the document has the id {item_id}."
