"""The transactional outbox: one row per change, in the change's transaction (docs/webhooks.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.applications.schemas import ApplicationCreate
from app.applications.service import create_application
from app.models import WebhookEvent, WebhookMessage
from tests.factories import UserWithToken
from tests.webhooks.helpers import WorkerPass, all_rows, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
API = "/api/v1"


async def _events(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    rows = sorted(await all_rows(session, WebhookEvent), key=lambda e: (e.created_at, e.type))
    return [(e.type, json.loads(e.body)["data"]) for e in rows]


async def test_posting_an_application_writes_exactly_one_outbox_row(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    r = await local_client.post(
        f"{API}/applications",
        json={"company": "Acme", "role_title": "Engineer"},
        headers=alice.headers,
    )
    assert r.status_code == 201

    [event] = await all_rows(session, WebhookEvent)
    assert event.type == "application.created"
    assert event.owner_id == alice.user.id
    body = json.loads(event.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["data"] == r.json()
    [message] = await all_rows(session, WebhookMessage)
    assert str(message.subscription_id) == hook["id"]
    assert (message.event_id, message.status, message.attempts) == (event.id, "pending", 0)


async def test_without_a_matching_subscription_nothing_is_written(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
) -> None:
    await subscribe(local_client, alice, receiver.url(), ["reference.created"])
    await subscribe(local_client, bob, receiver.url())  # someone else's
    r = await local_client.post(
        f"{API}/applications", json={"company": "A", "role_title": "B"}, headers=alice.headers
    )
    assert r.status_code == 201
    assert await all_rows(session, WebhookEvent) == []


async def test_a_disabled_subscription_gets_nothing(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    r = await local_client.patch(
        f"{API}/webhooks/{hook['id']}", json={"enabled": False}, headers=alice.headers
    )
    assert r.json()["disabled_reason"] == "Disabled by you."
    await local_client.post(
        f"{API}/applications", json={"company": "A", "role_title": "B"}, headers=alice.headers
    )
    assert await all_rows(session, WebhookEvent) == []


async def test_every_resource_change_emits_its_event(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    h = alice.headers
    app = (
        await local_client.post(
            f"{API}/applications", json={"company": "A", "role_title": "B"}, headers=h
        )
    ).json()
    app_id = app["id"]
    app = (
        await local_client.patch(
            f"{API}/applications/{app_id}", json={"status": "interviewing"}, headers=h
        )
    ).json()
    person = (
        await local_client.post(
            f"{API}/applications/{app_id}/interviewers", json={"name": "Grace"}, headers=h
        )
    ).json()
    person = (
        await local_client.patch(
            f"{API}/interviewers/{person['id']}", json={"title": "CTO"}, headers=h
        )
    ).json()
    interview = (
        await local_client.post(
            f"{API}/applications/{app_id}/interviews",
            json={"starts_at": "2026-11-20T10:00:00+00:00", "interviewer_ids": [person["id"]]},
            headers=h,
        )
    ).json()
    interview = (
        await local_client.patch(
            f"{API}/interviews/{interview['id']}", json={"kind": "video"}, headers=h
        )
    ).json()
    event = (
        await local_client.post(
            f"{API}/applications/{app_id}/events",
            json={"type": "withdrawal", "occurred_at": "2026-11-21T10:00:00+00:00"},
            headers=h,
        )
    ).json()
    reference = (await local_client.post(f"{API}/references", json={"name": "M"}, headers=h)).json()
    reference = (
        await local_client.patch(
            f"{API}/references/{reference['id']}", json={"title": "VP"}, headers=h
        )
    ).json()
    for path in (
        f"interviews/{interview['id']}",
        f"interviewers/{person['id']}",
        f"references/{reference['id']}",
        f"applications/{app_id}",
    ):
        assert (await local_client.delete(f"{API}/{path}", headers=h)).status_code == 204

    events = await _events(session)
    types = [t for t, _ in events]
    assert types == [
        "application.created",
        "application.status_changed",
        "application.updated",
        "interviewer.created",
        "interviewer.updated",
        "interview.created",
        "interview.updated",
        "event.created",
        "application.status_changed",
        "reference.created",
        "reference.updated",
        "interview.deleted",
        "interviewer.deleted",
        "reference.deleted",
        "application.deleted",
    ]
    data = dict(zip(types, (d for _, d in events), strict=False))
    assert data["application.updated"] == app
    assert data["interviewer.updated"] == person
    assert data["interview.updated"] == interview
    assert data["reference.updated"] == reference
    created_event = next(d for t, d in events if t == "event.created")
    assert created_event["id"] == event["id"]
    assert created_event["type"] == "withdrawal"
    changes = [d for t, d in events if t == "application.status_changed"]
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("applied", "interviewing"),
        ("interviewing", "withdrawn"),
    ]
    assert data["interview.deleted"] == {"id": interview["id"], "application_id": app_id}
    assert data["interviewer.deleted"] == {"id": person["id"], "application_id": app_id}
    assert data["reference.deleted"] == {"id": reference["id"]}
    assert data["application.deleted"] == {"id": app_id}


async def test_a_rolled_back_change_leaves_no_event_and_sends_nothing(
    alice: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    async with sessionmaker() as work:
        data = ApplicationCreate(company="Acme", role_title="Engineer")
        await create_application(work, alice.user, data)
        # Written with the change, inside its transaction...
        assert len(await all_rows(work, WebhookEvent)) == 1
        await work.rollback()
    # ...and gone with it.
    assert await all_rows(session, WebhookEvent) == []
    assert await all_rows(session, WebhookMessage) == []
    assert await worker_pass() == 0
    assert receiver.requests == []


async def test_a_refused_request_writes_no_event(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    h = alice.headers
    first = await local_client.post(
        f"{API}/applications",
        json={"company": "A", "role_title": "B", "external_id": "x-1"},
        headers=h,
    )
    second = await local_client.post(
        f"{API}/applications",
        json={"company": "C", "role_title": "D", "external_id": "x-1"},
        headers=h,
    )
    assert (first.status_code, second.status_code) == (201, 409)
    assert [t for t, _ in await _events(session)] == ["application.created"]
