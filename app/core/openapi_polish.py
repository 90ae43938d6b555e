"""Finishing touches on the generated schema, applied once when it is first rendered.

FastAPI's schema is close to what we publish, but: it lists problem responses under
`application/json` too (they are only ever `application/problem+json`); it documents
only the errors each route remembered to declare, while some can happen anywhere
(401 without a token, 413 for a large body, 400 for a bad cursor); it knows nothing of
the headers our middleware reads (`Idempotency-Key`, `If-Match`); and generated
schemas (pages, enums, form bodies) have no description. Doing this in one place keeps
routes free of boilerplate and makes the rules hold for every route, present or future.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_JSON
from app.core.examples import BY_SCHEMA as EXAMPLES
from app.core.openapi_headers import declare_headers

JSONDict = dict[str, Any]
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# FastAPI's own validation-error schemas: replaced by Problem everywhere.
UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry: the first response is replayed for 24 h "
    "(`Idempotent-Replayed: true`). Reusing a key with a different request is 422.",
    # Surrounding whitespace is ignored, so a key needs one other character.
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
    "example": "3f1c2a9e-6b7d-4e0f-9a51-2c8d7e6b4a10",
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` you last read; 412 when the resource changed since.",
    # Any value is well-formed: one that names no current ETag simply doesn't match (412).
    "schema": {"type": "string"},
    "example": '"3"',
}


def install_openapi_polish(app: FastAPI) -> None:
    """Wrap `app.openapi` (after any other wrapper, e.g. the webhooks section)."""
    render: Callable[[], JSONDict] = app.openapi
    polished: JSONDict | None = None

    def openapi() -> JSONDict:
        nonlocal polished
        if polished is None:
            polished = polish(render(), app.state.settings.public_url)
            app.openapi_schema = polished
        return polished

    app.openapi = openapi  # type: ignore[method-assign]


def polish(schema: JSONDict, public_url: str) -> JSONDict:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method in METHODS:
                _polish_operation(path, method, operation)
    for operations in schema.get("webhooks", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                _problems_only(operation)
    declare_headers(schema, public_url)  # once every operation has all its responses
    components = schema.setdefault("components", {})
    schemas: JSONDict = components.setdefault("schemas", {})
    for name in UNUSED_SCHEMAS:
        schemas.pop(name, None)
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    if "Problem" in schemas:
        schemas["Problem"].setdefault("examples", [PROBLEM_EXAMPLE])
    for name, definition in schemas.items():
        if "description" not in definition:
            definition["description"] = describe_schema(name, definition)
    used = _used_tags(schema)
    schema["tags"] = [
        {"name": name, "description": text} for name, text in TAGS.items() if name in used
    ] + [{"name": name} for name in sorted(used - TAGS.keys())]
    return schema


def _polish_operation(path: str, method: str, operation: JSONDict) -> None:
    parameters: list[JSONDict] = operation.setdefault("parameters", [])
    names = {p["name"].lower() for p in parameters}
    responses: JSONDict = operation.setdefault("responses", {})
    secured = bool(operation.get("security"))  # `[]` on public operations
    needed: set[int] = set()
    if secured:
        needed.add(401)
    if any(p["in"] == "path" for p in parameters):
        needed.add(404)
    if any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
        needed.add(422)
    if "cursor" in names:
        needed.add(400)
    if "requestBody" in operation:
        needed |= {400, 413}  # a body that can't be decoded at all; one over 1 MiB
        if "application/json" in operation["requestBody"].get("content", {}):
            needed.add(415)  # a body sent as something else (app/core/media.py)
    if method == "post" and secured:
        # The idempotency middleware: a bad key is 400, a key still in flight 409,
        # a key reused for another request 422.
        if "idempotency-key" not in names:
            parameters.append(dict(IDEMPOTENCY_KEY))
        needed |= {400, 409, 422}
    if path != "/healthz":
        needed.add(503)  # the database can't be reached for a moment (app.core.unavailable)
    if "412" in responses and "if-match" not in names:
        parameters.append(dict(IF_MATCH))
    for status in sorted(needed):
        responses.setdefault(str(status), {"description": HTTPStatus(status).phrase})
    if not parameters:
        del operation["parameters"]
    _problems_only(operation)


def _problems_only(operation: JSONDict) -> None:
    """Every 4xx/5xx is a problem document, under `application/problem+json` alone."""
    for status, response in operation.get("responses", {}).items():
        if status[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}


def _used_tags(schema: JSONDict) -> set[str]:
    used: set[str] = set()
    for section in ("paths", "webhooks"):
        for operations in schema.get(section, {}).values():
            for method, operation in operations.items():
                if method in METHODS:
                    used.update(operation.get("tags", []))
    return used


# --- texts ------------------------------------------------------------------------------

TAGS = {
    "auth": "Your account, signing in (OAuth2 password grant) and personal API tokens.",
    "applications": "Your job applications: everything else hangs off one.",
    "interviews": "Interviews of an application, with who was in each.",
    "interviewers": "The people you met during an application's interviews.",
    "events": "The follow-up timeline: what you sent, what you heard back, status changes.",
    "references": "Your references, listed on the applications you gave them to.",
    "recommendations": "What to do next, for whom, by when and why, with a draft.",
    "notifications": "Which email you get (the daily digest, due-now alerts), and a test one.",
    "webhooks": "Signed outbound webhooks, their delivery log and redelivery.",
    "integrations": "Inbound integrations: tools that push signed events into your account.",
    "calendar": "Your interviews and next steps as an iCalendar feed.",
    "portability": "Export everything, import it elsewhere, and a spreadsheet of your search.",
    "health": "Liveness and readiness probes for load balancers and orchestrators.",
}

PROBLEM_EXAMPLE = {
    "type": "urn:followup:problem:validation",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "The request is not valid: check body.starts_at.",
    "errors": [
        {
            "loc": ["body", "starts_at"],
            "msg": "Give the datetime with an offset, e.g. 2026-03-01T14:00:00+01:00.",
            "type": "timezone_aware",
        }
    ],
}

NOUNS = {
    "ApiToken": "a personal API token",
    "Application": "an application",
    "Interview": "an interview",
    "Interviewer": "an interviewer",
    "Event": "a follow-up event",
    "Reference": "a reference",
    "Webhook": "a webhook subscription",
    "Integration": "an inbound integration",
    "Delivery": "one webhook delivery attempt",
    "Message": "a webhook message (one event on its way to one subscription)",
    "Recommendation": "a next step",
    "User": "your account",
    "Profile": "your profile",
}

DESCRIPTIONS = {
    "ApiTokenIn": "The body to create a personal API token.",
    "ApiTokenCreated": "A new personal API token, with the token itself (shown only once).",
    "ApplicationData": "The `data` of inbound events about an application.",
    "ApplicationStatus": "Where an application stands. Active: applied, interviewing, offer.",
    "Body_createAccessToken": "OAuth2 password grant: `username` is your email.",
    "CalendarFeedOut": "A secret calendar feed URL.",
    "CancelledInterviewRef": "The interview an inbound `interview.cancelled` event is about.",
    "Channel": "How something was sent or received.",
    "CompleteIn": "Optional details of how you completed a next step.",
    "Completed": "What completing a next step recorded or changed.",
    "DraftOut": "A ready-to-send draft for a next step.",
    "EventType": "What a follow-up event records. `status_changed` is written by the server.",
    "Health": "The probe's answer.",
    "ImportResult": "What an import restored.",
    "InboundAck": "The answer to an inbound event.",
    "IntegrationCreated": "A new integration, with its secret (shown only once) and inbound URL.",
    "InterviewCancelledData": "The `data` of an inbound `interview.cancelled` event.",
    "InterviewKind": "The kind of interview.",
    "InterviewRef": "The interview an inbound event schedules, matched by `external_id`.",
    "InterviewScheduledData": "The `data` of an inbound `interview.scheduled` event.",
    "MePatch": "A partial update of your profile; email and password need `current_password`.",
    "RecommendationList": "Every open next step as of `as_of`, ordered by `due_at`.",
    "ReferencesRequestedData": "The `data` of an inbound `references.requested` event.",
    "RegisterIn": "The body to create an account.",
    "ReplyResponse": "What a reply said (on `reply_received` events).",
    "SnoozeIn": "Until when to hide a next step.",
    "StageChangedData": "The `data` of an inbound `application.stage_changed` event.",
    "TokenGrant": "An access token from the OAuth2 password grant.",
    "UserOut": "Your profile.",
    "ValidationErrorItem": "One invalid input: where it is, what is wrong, and a code.",
    "WebhookCreated": "A new webhook subscription, with its secret (shown only once).",
}


def describe_schema(name: str, definition: JSONDict) -> str:
    """A description for a schema that has none; its bare title if nothing fits (a test
    catches those, so a new schema gets a docstring or an entry above)."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    type_const = definition.get("properties", {}).get("type", {}).get("const")
    if name.endswith("Webhook") and type_const:
        return f"The body of a `{type_const}` webhook delivery: `type`, `timestamp`, `data`."
    if name.startswith("Inbound") and type_const:
        return f"An inbound `{type_const}` event."
    if name.startswith("Page_"):
        item = name.removeprefix("Page_").rstrip("_")
        noun = NOUNS.get(item.removesuffix("Out"), item)
        return f"One page of a list of {noun} items, and the cursor of the next page."
    for suffix, template in (
        ("Create", "The body to create {noun}."),
        ("Patch", "A partial update of {noun}: fields left out stay as they are; `null` "
         "clears an optional one."),
        ("Out", "{Noun}, as the API returns it."),
        ("Doc", "{Noun}, in an export document."),
    ):  # fmt: skip
        found = NOUNS.get(name.removesuffix(suffix)) if name.endswith(suffix) else None
        if found:
            return template.format(noun=found, Noun=found[0].upper() + found[1:])
    title: str = definition.get("title", name)
    return title
