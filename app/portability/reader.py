"""An export file for `followup import`, read as it is needed rather than held whole.

ijson parses the file as it reads it. The document's small parts (its format, profile,
the dismissed steps, webhooks and integrations) are kept; the references and the
applications are read from the file again each time the importer goes through them,
one item at a time, each checked by its own model. So memory holds one application
(with its people, interviews and events) at a time, whatever the file's size, and
there is no limit on how many items a list has: the API's 10,000 are for documents
sent in one request body, which 1 MiB bounds anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import ijson
from pydantic import BaseModel, ValidationError

from app.portability.schemas import (
    ApplicationDoc,
    ExportDocument,
    IntegrationDoc,
    ProfileDoc,
    RecommendationStateDoc,
    ReferenceDoc,
    WebhookDoc,
)

M = TypeVar("M", bound=BaseModel)
LISTS: dict[str, type[BaseModel]] = {
    "references": ReferenceDoc,
    "applications": ApplicationDoc,
    "recommendation_states": RecommendationStateDoc,
    "webhooks": WebhookDoc,
    "integrations": IntegrationDoc,
}
# A file wrong throughout would otherwise list an error per item: the first are enough.
MAX_ERRORS = 100


class NotJson(Exception):
    """The file is not a JSON document; the message says where it stopped making sense."""


class DocumentInvalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


class Items(Generic[M]):
    """A list of the document, as `model`s, read from the file on each iteration."""

    def __init__(self, path: Path, name: str, model: type[M]) -> None:
        self.path, self.name, self.model = path, name, model

    def raw(self) -> Iterator[Any]:
        with self.path.open("rb") as file:
            try:
                yield from ijson.items(file, f"{self.name}.item", use_float=True)
            except ijson.JSONError as exc:
                raise NotJson(str(exc)) from None

    def __iter__(self) -> Iterator[M]:
        for item in self.raw():
            yield self.model.model_validate(item)


class FileDocument:
    """What the importer reads of an `ExportDocument`, from a file. Checked through on
    creation: every item by its model (DocumentInvalid, with where, if any is wrong)."""

    def __init__(self, path: Path) -> None:
        head = ExportDocument.model_validate(_checked(path))
        self.profile: ProfileDoc = head.profile
        self.references = Items(path, "references", ReferenceDoc)
        self.applications = Items(path, "applications", ApplicationDoc)
        # Small, and gone through more than once: kept.
        self.recommendation_states = list(
            Items(path, "recommendation_states", RecommendationStateDoc)
        )
        self.webhooks = list(Items(path, "webhooks", WebhookDoc))
        self.integrations = list(Items(path, "integrations", IntegrationDoc))


def _checked(path: Path) -> dict[str, Any]:
    """The document's top level with each list empty, once every item has been checked."""
    head = _head(path)
    errors: list[dict[str, Any]] = []
    try:
        ExportDocument.model_validate(head)
    except ValidationError as exc:
        errors += [dict(e) for e in exc.errors()]
    for name, model in LISTS.items():
        if head.get(name) != []:
            continue  # missing (allowed) or not a list (reported above)
        for i, item in enumerate(Items(path, name, model).raw()):
            if len(errors) >= MAX_ERRORS:
                raise DocumentInvalid(errors)
            try:
                model.model_validate(item)
            except ValidationError as exc:
                errors += [{**e, "loc": (name, i, *e["loc"])} for e in exc.errors()]
    if errors:
        raise DocumentInvalid(errors[:MAX_ERRORS])
    return head


def _head(path: Path) -> dict[str, Any]:
    """The top-level object with each list (of any size) as `[]`, all else as it is."""
    head: dict[str, Any] = {}
    with path.open("rb") as file:
        events = ijson.parse(file, use_float=True)
        try:
            _, event, _ = next(events)
            if event != "start_map":
                raise NotJson("the document is not a JSON object")
            for prefix, event, value in events:
                if event == "end_map" and prefix == "":
                    break
                _, first, first_value = next(events)  # after the key, its value's start
                if value in LISTS and first == "start_array":
                    _skip(events)
                    head[value] = []
                else:
                    head[value] = _build(events, first, first_value)
        except ijson.JSONError as exc:
            raise NotJson(str(exc)) from None
        except StopIteration:
            raise NotJson("the document ends early") from None
    return head


def _skip(events: Iterator[tuple[str, str, Any]]) -> None:
    """Past the end of the array or object just started."""
    depth = 1
    for _, event, _ in events:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return


def _build(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """The value whose first event is (`event`, `value`), read to its end."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        _, event, value = next(events)
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
    return builder.value
