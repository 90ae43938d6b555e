"""The schema documents every outbound payload and the inbound events (docs/webhooks.md)."""

from __future__ import annotations

from typing import Any

from app.integrations.inbound_schemas import INBOUND_TYPES
from app.main import create_app
from app.webhooks.event_types import EVENT_TYPES
from app.webhooks.openapi_docs import OUTBOUND


def _schema() -> dict[str, Any]:
    document: dict[str, Any] = create_app().openapi()
    return document


def _component(document: dict[str, Any], ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def test_every_event_type_has_its_payload_in_the_webhooks_section() -> None:
    document = _schema()
    assert sorted(document["webhooks"]) == sorted(EVENT_TYPES)
    for event_type, (data_model, _) in OUTBOUND.items():
        operation = document["webhooks"][event_type]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        envelope = _component(document, body["$ref"])
        assert envelope["required"] == ["type", "timestamp", "data"]
        assert envelope["properties"]["type"]["const"] == event_type
        assert envelope["properties"]["data"]["$ref"].endswith("/" + data_model.__name__)
        assert "webhook-signature" in operation["description"]
        assert list(operation["responses"]) == ["2XX"]


def test_the_inbound_endpoint_documents_its_events_and_needs_no_bearer() -> None:
    document = _schema()
    operation = document["paths"]["/api/v1/inbound/{integration_id}"]["post"]
    assert operation["security"] == []  # signed, and says it needs no token
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    union = _component(document, body["$ref"])
    assert sorted(union["discriminator"]["mapping"]) == sorted(INBOUND_TYPES)
    for ref in union["discriminator"]["mapping"].values():
        assert "data" in _component(document, ref)["properties"]
    assert {"200", "202", "401", "422"} <= set(operation["responses"])
