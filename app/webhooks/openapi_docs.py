"""The schema's `webhooks` section (one entry per outbound event type) and inbound events.

FastAPI documents `app.webhooks` routes like operations; they are never served. The
inbound endpoint reads its raw body (the signature covers the exact bytes), so its
request schema is added to the components here instead of inferred from a parameter.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field, TypeAdapter, create_model

from app.applications.schemas import ApplicationOut
from app.events.schemas import EventOut
from app.integrations.inbound_schemas import DATA_MODELS
from app.integrations.router import INBOUND_EVENT_SCHEMA
from app.interviews.schemas import InterviewOut
from app.people.schemas import InterviewerOut, ReferenceOut
from app.recommendations.schemas import RecommendationOut
from app.webhooks.event_types import EventType
from app.webhooks.payloads import Deleted, DeletedApplication, DeletedChild, WebhookTest

OUTBOUND: dict[EventType, tuple[type[BaseModel], str]] = {
    "application.created": (ApplicationOut, "An application was created."),
    "application.updated": (ApplicationOut, "An application was changed (PATCH)."),
    "application.deleted": (DeletedApplication, "An application was deleted, with its people."),
    "application.status_changed": (
        EventOut,
        "An application's status changed, however it happened; `data` is the "
        "`status_changed` event, with `from_status` and `to_status`.",
    ),
    "interview.created": (InterviewOut, "An interview was added."),
    "interview.updated": (InterviewOut, "An interview was changed."),
    "interview.deleted": (DeletedChild, "An interview was deleted."),
    "interviewer.created": (InterviewerOut, "An interviewer was added."),
    "interviewer.updated": (InterviewerOut, "An interviewer was changed."),
    "interviewer.deleted": (DeletedChild, "An interviewer was deleted."),
    "event.created": (EventOut, "A follow-up event was recorded."),
    "reference.created": (ReferenceOut, "A reference was added."),
    "reference.updated": (ReferenceOut, "A reference was changed."),
    "reference.deleted": (Deleted, "A reference was deleted."),
    "recommendation.due": (
        RecommendationOut,
        "A next step became due. Sent once per recommendation, checked every "
        "FOLLOWUP_SCHEDULER_INTERVAL seconds.",
    ),
    "webhook.test": (WebhookTest, "Sent by POST /webhooks/{id}/test, whatever the filter."),
}

DELIVERY_NOTES = """

Delivered as a POST with a JSON body `{"type", "timestamp", "data"}`, signed per
Standard Webhooks: `webhook-id` (the same on every retry and redelivery),
`webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}">` keyed with your `whsec_` secret.
Answer any 2xx within 10 seconds. Anything else is retried after 5 s, 5 min, 30 min,
2 h, 5 h, 10 h and 10 h (with jitter); redirects are not followed; 410 disables the
webhook, and so do 5 days of failures."""


ACKNOWLEDGED = "Any 2xx within 10 seconds acknowledges the delivery."


def _model_name(event_type: str) -> str:
    return "".join(part.title() for part in re.split(r"[._]", event_type)) + "Webhook"


def envelope_model(event_type: EventType, data_model: type[BaseModel]) -> type[BaseModel]:
    model: type[BaseModel] = create_model(
        _model_name(event_type),
        type=(Literal[event_type], ...),  # type: ignore[arg-type]
        timestamp=(datetime, Field(description="When it happened (RFC 3339, UTC).")),
        data=(data_model, ...),
    )
    return model


def _documentation_only(model: type[BaseModel]) -> Callable[..., None]:
    def endpoint(body: Any) -> None:  # never called: webhook routes only document
        raise NotImplementedError

    parameter = inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model)
    endpoint.__signature__ = inspect.Signature([parameter])  # type: ignore[attr-defined]
    return endpoint


def install_webhook_docs(app: FastAPI) -> None:
    """Add the `webhooks` section and the inbound event schemas to `app.openapi()`.

    Built the first time the schema is asked for, not when the app is: the envelope
    models, their routes and the inbound union only document, and building them took
    about 2 % of `followup serve`'s time to its first healthy response.
    """
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        _add_outbound_routes(app)
        definitions, schema = _inbound_schemas()
        document = default_openapi()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.items():
            # A name clash would silently redefine an API schema: fail loudly instead.
            assert components.get(name, definition) == definition, f"schema {name} clashes"
            components[name] = definition
        components[INBOUND_EVENT_SCHEMA] = schema
        document["components"]["schemas"] = dict(sorted(components.items()))
        for path_item in document.get("webhooks", {}).values():
            # The receiver answers; nothing here validates its request, so no 422 and no body.
            path_item["post"]["responses"] = {"2XX": {"description": ACKNOWLEDGED}}
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _add_outbound_routes(app: FastAPI) -> None:
    """One documentation-only route per outbound event type, unless a schema built
    earlier added them (they are the only ones)."""
    if app.webhooks.routes:
        return
    for event_type, (data_model, description) in OUTBOUND.items():
        app.webhooks.add_api_route(
            event_type,
            _documentation_only(envelope_model(event_type, data_model)),
            methods=["POST"],
            summary=event_type,
            description=description + DELIVERY_NOTES,
            operation_id=f"webhook_{event_type.replace('.', '_')}",
            response_model=None,
        )


def _inbound_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The inbound event schemas (a union on `type`): its definitions, and itself."""
    envelopes = [
        create_model(
            "Inbound" + _model_name(event_type).removesuffix("Webhook") + "Event",
            type=(Literal[event_type], ...),  # type: ignore[arg-type]
            timestamp=(datetime | None, None),
            data=(data_model, ...),
        )
        for event_type, data_model in DATA_MODELS.items()
    ]
    union: Any = envelopes[0]
    for envelope in envelopes[1:]:
        union = union | envelope
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[union, Field(discriminator="type")])
    schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    schema["description"] = "An event from a tool: `type` says which, `data` what happened."
    return definitions, schema
