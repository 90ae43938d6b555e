"""/webhooks: subscribe, read, change, delete, test, delivery log, redeliver (docs/webhooks.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import WebhookMessage
from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.helpers import assert_problem
from tests.webhooks.helpers import WorkerPass, all_rows, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
URL = "/api/v1/webhooks"


async def test_create_shows_the_secret_once(
    local_client: httpx.AsyncClient, alice: UserWithToken, receiver: Receiver
) -> None:
    r = await local_client.post(
        URL,
        json={"url": receiver.url(), "events": ["*"], "description": "my relay"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["secret"].startswith("whsec_")
    assert created["enabled"] is True
    assert created["disabled_reason"] is None
    assert created["events"] == ["*"]
    assert created["description"] == "my relay"
    assert r.headers["location"].endswith(f"{URL}/{created['id']}")
    assert r.headers["etag"] == '"1"'

    one = await local_client.get(f"{URL}/{created['id']}", headers=alice.headers)
    listed = await local_client.get(URL, headers=alice.headers)
    assert "secret" not in one.json()
    assert [h["id"] for h in listed.json()["items"]] == [created["id"]]
    assert "secret" not in listed.json()["items"][0]
    assert one.json() == {k: v for k, v in created.items() if k != "secret"}


@pytest.mark.parametrize(
    ("events", "loc"),
    [
        (["application.exploded"], "body.events.0"),
        ([], "body.events"),
        (["*", "nope"], "body.events.1"),
        ("*", "body.events"),
    ],
)
async def test_unknown_event_types_are_refused(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    events: object,
    loc: str,
) -> None:
    before = await snapshot(session)
    r = await local_client.post(
        URL, json={"url": receiver.url(), "events": events}, headers=alice.headers
    )
    assert_problem(r, 422, loc=loc)
    assert await snapshot(session) == before


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/hook", "events": ["*"]},
        {"url": "not a url", "events": ["*"]},
        {"url": "https://example.com/hook", "events": ["*"], "secret": "whsec_mine"},
        {"events": ["*"]},
    ],
)
async def test_bad_bodies_are_refused(
    local_client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, body: object
) -> None:
    before = await snapshot(session)
    r = await local_client.post(URL, json=body, headers=alice.headers)
    assert_problem(r, 422)
    assert await snapshot(session) == before


async def test_duplicate_filters_are_collapsed(
    local_client: httpx.AsyncClient, alice: UserWithToken, receiver: Receiver
) -> None:
    hook = await subscribe(
        local_client, alice, receiver.url(), ["event.created", "event.created", "*"]
    )
    assert hook["events"] == ["event.created", "*"]


async def test_patch_changes_fields_and_respects_if_match(
    local_client: httpx.AsyncClient, alice: UserWithToken, receiver: Receiver, hook: dict[str, Any]
) -> None:
    r = await local_client.patch(
        f"{URL}/{hook['id']}",
        json={"events": ["recommendation.due"], "url": receiver.url("/v2")},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["recommendation.due"]
    assert r.json()["url"] == receiver.url("/v2")
    assert r.headers["etag"] == '"2"'
    stale = await local_client.patch(
        f"{URL}/{hook['id']}",
        json={"description": "x"},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert_problem(stale, 412)
    nulled = await local_client.patch(
        f"{URL}/{hook['id']}", json={"url": None}, headers=alice.headers
    )
    assert_problem(nulled, 422)


async def test_delete_stops_everything(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
) -> None:
    await local_client.post(
        "/api/v1/applications", json={"company": "A", "role_title": "B"}, headers=alice.headers
    )
    r = await local_client.delete(f"{URL}/{hook['id']}", headers=alice.headers)
    assert r.status_code == 204
    assert (await local_client.get(f"{URL}/{hook['id']}", headers=alice.headers)).status_code == 404
    assert await all_rows(session, WebhookMessage) == []


async def test_test_event_is_sent_whatever_the_filter(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    worker_pass: WorkerPass,
) -> None:
    hook = await subscribe(local_client, alice, receiver.url(), ["reference.deleted"])
    r = await local_client.post(f"{URL}/{hook['id']}/test", headers=alice.headers)
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["event_type"] == "webhook.test"
    assert queued["status"] == "pending"

    await worker_pass()

    [request] = receiver.requests
    assert request.webhook_id == queued["message_id"]
    payload = json.loads(request.body)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["subscription_id"] == hook["id"]


async def test_the_delivery_log_is_paginated_newest_first(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    for _ in range(3):
        await local_client.post(f"{URL}/{hook['id']}/test", headers=alice.headers)
        await worker_pass()

    r = await local_client.get(f"{URL}/{hook['id']}/deliveries?limit=2", headers=alice.headers)
    assert r.status_code == 200
    page = r.json()
    assert len(page["items"]) == 2
    assert 'rel="next"' in r.headers["link"]
    rest = await local_client.get(
        f"{URL}/{hook['id']}/deliveries?limit=2&cursor={page['next_cursor']}",
        headers=alice.headers,
    )
    items = page["items"] + rest.json()["items"]
    assert rest.json()["next_cursor"] is None
    assert [d["message_id"] for d in items] == list(reversed(receiver.ids()))
    first = items[-1]
    assert set(first) == {
        "id",
        "subscription_id",
        "message_id",
        "event_type",
        "attempt",
        "status_code",
        "error",
        "duration_ms",
        "response_body",
        "created_at",
    }
    assert (first["event_type"], first["attempt"], first["status_code"]) == ("webhook.test", 1, 200)
    bad = await local_client.get(f"{URL}/{hook['id']}/deliveries?cursor=zzz", headers=alice.headers)
    assert_problem(bad, 400)


async def test_redeliver_resends_the_same_message(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await local_client.post(
        "/api/v1/applications", json={"company": "A", "role_title": "B"}, headers=alice.headers
    )
    await worker_pass()
    log = (await local_client.get(f"{URL}/{hook['id']}/deliveries", headers=alice.headers)).json()
    [delivered] = log["items"]

    r = await local_client.post(
        f"{URL}/deliveries/{delivered['id']}/redeliver", headers=alice.headers
    )
    assert r.status_code == 202, r.text
    assert r.json()["message_id"] == delivered["message_id"]
    await worker_pass()

    first, again = receiver.requests
    assert first.webhook_id == again.webhook_id == delivered["message_id"]
    assert first.body == again.body
    log = (await local_client.get(f"{URL}/{hook['id']}/deliveries", headers=alice.headers)).json()
    assert [d["attempt"] for d in log["items"]] == [2, 1]


async def test_a_disabled_webhook_refuses_tests_and_redeliveries(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await local_client.post(f"{URL}/{hook['id']}/test", headers=alice.headers)
    await worker_pass()
    log = (await local_client.get(f"{URL}/{hook['id']}/deliveries", headers=alice.headers)).json()
    await local_client.patch(f"{URL}/{hook['id']}", json={"enabled": False}, headers=alice.headers)

    before = await snapshot(session)
    r = await local_client.post(f"{URL}/{hook['id']}/test", headers=alice.headers)
    assert_problem(r, 409)
    r = await local_client.post(
        f"{URL}/deliveries/{log['items'][0]['id']}/redeliver", headers=alice.headers
    )
    assert_problem(r, 409)
    assert await snapshot(session) == before


async def test_another_users_webhook_is_not_found(
    local_client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, hook: dict[str, Any]
) -> None:
    for method, path in (
        ("GET", hook["id"]),
        ("PATCH", hook["id"]),
        ("DELETE", hook["id"]),
        ("POST", f"{hook['id']}/test"),
        ("GET", f"{hook['id']}/deliveries"),
        ("GET", "not-a-uuid"),
    ):
        r = await local_client.request(method, f"{URL}/{path}", json={}, headers=bob.headers)
        assert_problem(r, 404)
    assert (await local_client.get(URL, headers=bob.headers)).json()["items"] == []
    assert_problem(await local_client.get(URL), 401)
