"""Arbitrary JSON at every create and patch endpoint (hypothesis): whatever the body,
the answer is a 2xx, or a 4xx the operation documents, as problem+json, never a 5xx;
and a refused body changes nothing.

Schemathesis (test_fuzz.py) generates from the schema, so its bodies are mostly the
right shape; these are not: wrong types at every depth, deep nesting, huge and odd
numbers, NaN, the real field names with nonsense values, unknown and read-only keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_reference,
    create_webhook,
)

pytestmark = pytest.mark.anyio

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text("utf-8")
)
# Authenticated by other means (a form, a signature): covered by their own tests.
NOT_JSON_BODIES = {"/api/v1/auth/token", "/api/v1/inbound/{integration_id}"}


def _operations() -> list[tuple[str, str, set[str], set[int]]]:
    found = []
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch") or path in NOT_JSON_BODIES:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            fields = set(_properties(body["schema"]))
            documented = {int(s) for s in operation["responses"] if s.startswith("4")}
            found.append((method.upper(), path, fields, documented))
    return found


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    props: dict[str, Any] = schema.get("properties", {})
    return props


OPERATIONS = _operations()
EXAMPLES = 20

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "2026-11-26T10:00:00",
            "2026-13-45",
            "00000000-0000-0000-0000-000000000000",
            "x" * 5000,
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _bodies(fields: set[str]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(sorted(fields | {"id", "owner_id", "version", "created_at"}))
    shaped = st.dictionaries(keys | st.text(max_size=12), json_values, max_size=6)
    return shaped | json_values


def test_every_json_create_and_patch_is_fuzzed() -> None:
    paths = {path for _, path, _, _ in OPERATIONS}
    assert "/api/v1/applications" in paths
    assert "/api/v1/interviews/{interview_id}" in paths
    assert len(OPERATIONS) >= 15


@pytest.fixture
async def owned_ids(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
    interview: Interview,
) -> dict[str, str]:
    """An id of each kind a create or patch path takes, all Alice's."""
    reference = await create_reference(session, alice.user)
    webhook = await create_webhook(session, alice.user)
    recs = await client.get("/api/v1/recommendations", headers=alice.headers)
    note = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "reply_received"},
        headers=alice.headers,
    )
    return {
        "event_id": note.json()["id"],
        "application_id": str(application.id),
        "interview_id": str(interview.id),
        "interviewer_id": str(interviewer.id),
        "reference_id": str(reference.id),
        "webhook_id": str(webhook.id),
        "recommendation_id": recs.json()["items"][0]["id"],
    }


def _examples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values drawn by hypothesis, deterministically. (Hypothesis can't drive an
    async test whose fixtures hold the database transaction, so it generates up front
    and the test sends them; a failure names the body.)"""
    found: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


@pytest.mark.parametrize(
    ("method", "path", "fields", "documented"),
    OPERATIONS,
    ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS],
)
async def test_arbitrary_json_is_never_a_server_error(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    owned_ids: dict[str, str],
    method: str,
    path: str,
    fields: set[str],
    documented: set[int],
) -> None:
    url = re.sub(r"{(\w+)}", lambda m: owned_ids[m.group(1)], path)
    bodies = _examples(_bodies(fields), EXAMPLES)
    assert len(bodies) >= EXAMPLES // 2
    for body in bodies:
        before = await snapshot(session)
        content = json.dumps(body)  # NaN and Infinity as Python writes them: not JSON
        r = await client.request(
            method,
            url,
            content=content,
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        assert r.status_code < 500, (content, r.status_code, r.text)
        if r.status_code >= 400:
            assert r.status_code in documented, (content, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            session.expire_all()
            assert await snapshot(session) == before, content
