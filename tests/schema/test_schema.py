"""The published schema: valid OpenAPI 3.1, and complete enough to build clients from."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from app.core.errors import PROBLEM_JSON
from app.openapi import render_openapi

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_openapi())
    return document


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_it_is_valid_openapi_3_1(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1.")
    validate(schema, cls=OpenAPIV31SpecValidator)


def test_operation_ids_are_unique_and_readable(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(schema)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", operation_id), operation_id


def test_every_tag_is_described(schema: dict[str, Any]) -> None:
    described = {t["name"]: t.get("description") for t in schema["tags"]}
    for method, path, operation in operations(schema):
        assert operation.get("tags"), (method, path)
        for tag in operation["tags"]:
            assert described.get(tag), f"tag {tag!r} has no description"


def test_every_schema_is_described(schema: dict[str, Any]) -> None:
    for name, definition in schema["components"]["schemas"].items():
        description = definition.get("description", "")
        assert description, name
        assert description != definition.get("title"), f"{name} needs a description"


def test_errors_are_problem_json_only(schema: dict[str, Any]) -> None:
    sections = [*schema["paths"].values(), *schema.get("webhooks", {}).values()]
    for item in sections:
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == [PROBLEM_JSON], (method, status)
                    ref = response["content"][PROBLEM_JSON]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Problem"
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["Problem"]["examples"]


def test_errors_that_can_happen_are_documented(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        documented = set(operation["responses"])
        where = f"{method.upper()} {path}"
        if operation.get("security"):
            assert "401" in documented, where
        if "requestBody" in operation:
            assert {"413", "422"} <= documented, where
        params = operation.get("parameters", [])
        if any(p["in"] == "path" for p in params):
            assert "404" in documented, where
        if any(p["name"] == "cursor" for p in params):
            assert "400" in documented, where
        if method == "post" and operation.get("security"):
            assert any(p["name"] == "Idempotency-Key" for p in params), where
        if "412" in documented:
            assert any(p["name"] == "If-Match" for p in params), where


def test_security_scheme_and_public_operations(schema: dict[str, Any]) -> None:
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    public = {
        (m, p)
        for m, p, op in operations(schema)
        if p.startswith("/api/") and not op.get("security")
    }
    assert public == {
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/inbound/{integration_id}"),
        ("get", "/api/v1/calendar/feed/{secret}.ics"),
    }


def test_the_webhooks_section_lists_every_event_type(schema: dict[str, Any]) -> None:
    assert "application.created" in schema["webhooks"]
    assert "recommendation.due" in schema["webhooks"]
