"""Another user's resource is indistinguishable from a missing one: 404 on every route.

The matrix is generated from the app's route table, so a route added later is
covered without anyone remembering to add it here. A route whose path parameter
has no fixture below makes this test fail until one is added.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.main import create_app
from app.models import Application, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_event,
    create_integration,
    create_reference,
    create_webhook,
    create_webhook_delivery,
)

pytestmark = pytest.mark.anyio

# Paths reachable without an owner (no per-user resource in them).
# The calendar feed's secret is its own credential (tests/calendar covers it).
UNOWNED = {"/api/v1/inbound/{integration_id}", "/api/v1/calendar/feed/{secret}.ics"}


def _id_routes() -> list[tuple[str, str]]:
    # The OpenAPI document is the app's public route table.
    routes = []
    for path, operations in create_app().openapi()["paths"].items():
        if "{" not in path or not path.startswith("/api/v1") or path in UNOWNED:
            continue
        for method in sorted(operations):
            routes.append((method.upper(), path))
    return routes


ID_ROUTES = _id_routes()


def test_the_matrix_covers_the_resource_routes() -> None:
    paths = {path for _, path in ID_ROUTES}
    assert "/api/v1/applications/{application_id}" in paths
    assert "/api/v1/interviews/{interview_id}" in paths
    assert len(ID_ROUTES) >= 20


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
async def test_another_users_id_is_404(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
    interview: Interview,
    method: str,
    path: str,
) -> None:
    event = await create_event(session, application)
    reference = await create_reference(session, alice.user)
    webhook = await create_webhook(session, alice.user)
    delivery = await create_webhook_delivery(session, webhook)
    integration = await create_integration(session, alice.user)
    token = await client.post("/api/v1/tokens", json={"name": "t"}, headers=alice.headers)
    recs = await client.get("/api/v1/recommendations", headers=alice.headers)
    ids: dict[str, Callable[[], str]] = {
        "application_id": lambda: str(application.id),
        "interview_id": lambda: str(interview.id),
        "interviewer_id": lambda: str(interviewer.id),
        "event_id": lambda: str(event.id),
        "reference_id": lambda: str(reference.id),
        "token_id": lambda: token.json()["id"],
        "recommendation_id": lambda: recs.json()["items"][0]["id"],
        "webhook_id": lambda: str(webhook.id),
        "delivery_id": lambda: str(delivery.id),
        "integration_id": lambda: str(integration.id),
    }
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"add an owned-resource fixture for {missing} in {__name__}"
    url = path
    for name in names:
        url = url.replace("{" + name + "}", ids[name]())

    before = await snapshot(session)
    r = await client.request(method, url, json={}, headers=bob.headers)
    assert r.status_code == 404, (method, url, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    # The same answer as for an id that never existed.
    random_url = path
    for name in names:
        random_url = random_url.replace("{" + name + "}", str(uuid.uuid4()))
    r_random = await client.request(method, random_url, json={}, headers=bob.headers)
    assert r_random.status_code == 404
    assert r.json()["detail"] == r_random.json()["detail"]
    assert await snapshot(session) == before
