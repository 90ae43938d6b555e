"""Limits on what one request can make the server do: page sizes and string lengths
(body size: test_protocol; rate limits: test_rate_limits)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text("utf-8")
)


@pytest.mark.parametrize("limit", ["0", "201", "-1", "99999999999999999999"])
async def test_page_size_outside_1_to_200_is_refused(
    client: httpx.AsyncClient, alice: UserWithToken, limit: str
) -> None:
    r = await client.get(f"/api/v1/applications?limit={limit}", headers=alice.headers)
    assert_problem(r, 422, loc="query.limit")


@pytest.mark.parametrize("field", ["company", "role_title", "notes", "location"])
async def test_strings_over_their_documented_maximum_are_refused(
    client: httpx.AsyncClient, alice: UserWithToken, field: str
) -> None:
    schema = SCHEMA["components"]["schemas"]["ApplicationCreate"]["properties"][field]
    limit = schema.get("maxLength") or next(
        option["maxLength"] for option in schema["anyOf"] if "maxLength" in option
    )
    body = {"company": "Acme", "role_title": "Engineer", field: "x" * (limit + 1)}
    r = await client.post("/api/v1/applications", json=body, headers=alice.headers)
    assert_problem(r, 422, loc=f"body.{field}")
    body[field] = "x" * limit
    r = await client.post("/api/v1/applications", json=body, headers=alice.headers)
    assert r.status_code == 201
