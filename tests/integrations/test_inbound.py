"""POST /inbound/{id}: signed events from tools, applied through the services (docs/webhooks.md).

Requests are signed with the `standardwebhooks` library, independently of our code.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from app.models import (
    Application,
    Event,
    InboundMessage,
    Integration,
    Interview,
    Interviewer,
    WebhookEvent,
    WebhookSubscription,
)
from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.helpers import assert_problem
from tests.webhooks.helpers import all_rows

pytestmark = pytest.mark.anyio
STARTS = "2026-12-01T15:00:00+01:00"


@pytest.fixture
async def integration(client: httpx.AsyncClient, alice: UserWithToken) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/integrations", json={"name": "greenhouse"}, headers=alice.headers
    )
    body: dict[str, Any] = r.json()
    return body


def signed(
    secret: str,
    payload: dict[str, Any] | bytes,
    *,
    msg_id: str | None = None,
    at: datetime | None = None,
) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
    return body, headers


async def send(
    client: httpx.AsyncClient,
    integration: dict[str, Any],
    event_type: str,
    data: dict[str, Any],
    **options: Any,
) -> httpx.Response:
    payload = {"type": event_type, "timestamp": "2026-11-26T10:00:00Z", "data": data}
    body, headers = signed(integration["secret"], payload, **options)
    return await client.post(integration["inbound_url"], content=body, headers=headers)


ACME = {"external_id": "app-1", "company": "Acme", "role_title": "Engineer"}


async def test_an_upsert_creates_an_application_from_the_integration(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    integration: dict[str, Any],
    session: AsyncSession,
) -> None:
    data = {
        "application": {
            **ACME,
            "job_url": "https://acme.example/jobs/1",
            "recruiter_name": "Rita",
            "recruiter_email": "rita@acme.example",
        }
    }
    r = await send(client, integration, "application.upserted", data, msg_id="msg_first")
    assert r.status_code == 202, r.text
    assert r.json() == {"webhook_id": "msg_first", "status": "accepted"}

    [application] = await all_rows(session, Application)
    assert application.owner_id == alice.user.id
    assert (application.source, application.external_id) == ("greenhouse", "app-1")
    assert (application.company, application.recruiter_email) == ("Acme", "rita@acme.example")
    [stored] = await all_rows(session, InboundMessage)
    assert (stored.webhook_id, stored.event_type) == ("msg_first", "application.upserted")
    [row] = await all_rows(session, Integration)
    assert row.last_received_at is not None
    listed = await client.get("/api/v1/applications", headers=alice.headers)
    assert listed.json()["items"][0]["source"] == "greenhouse"


async def test_the_same_external_id_twice_is_one_application(
    client: httpx.AsyncClient, integration: dict[str, Any], session: AsyncSession
) -> None:
    assert (
        await send(client, integration, "application.upserted", {"application": ACME})
    ).is_success
    [first] = await all_rows(session, Application)

    r = await send(client, integration, "application.upserted", {"application": ACME})
    assert r.status_code == 202

    [again] = await all_rows(session, Application)
    assert again.id == first.id
    assert again.version == first.version  # nothing differed, so nothing changed
    changed = {**ACME, "role_title": "Staff Engineer"}
    assert (
        await send(client, integration, "application.upserted", {"application": changed})
    ).is_success
    [updated] = await all_rows(session, Application)
    assert (updated.id, updated.role_title, updated.version) == (first.id, "Staff Engineer", 2)


async def test_a_replayed_webhook_id_is_acknowledged_and_ignored(
    client: httpx.AsyncClient, integration: dict[str, Any], session: AsyncSession
) -> None:
    r = await send(client, integration, "application.upserted", {"application": ACME}, msg_id="m1")
    assert r.status_code == 202
    before = await snapshot(session)

    changed = {"application": {**ACME, "company": "Other"}}
    replay = await send(client, integration, "application.upserted", changed, msg_id="m1")

    assert replay.status_code == 200
    assert replay.json() == {"webhook_id": "m1", "status": "duplicate"}
    assert await snapshot(session) == before


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong_secret",
        "altered_body",
        "stale_past",
        "stale_future",
        "missing_signature",
        "garbage_signature",
        "unknown_integration",
        "malformed_integration_id",
        "huge_timestamp",
        "negative_timestamp",
        "fractional_timestamp",
        "oversized_id",
        "oversized_signature",
    ],
)
async def test_bad_or_stale_signatures_are_401_and_store_nothing(
    client: httpx.AsyncClient, integration: dict[str, Any], session: AsyncSession, tamper: str
) -> None:
    payload = {"type": "application.upserted", "data": {"application": ACME}}
    secret, at, url = integration["secret"], _now(), integration["inbound_url"]
    if tamper == "wrong_secret":
        secret = "whsec_" + "A" * 43 + "="
    elif tamper == "stale_past":
        at = _now() - timedelta(minutes=5, seconds=30)
    elif tamper == "stale_future":
        at = _now() + timedelta(minutes=5, seconds=30)
    body, headers = signed(secret, payload, at=at)
    if tamper == "altered_body":
        body = body.replace(b"Acme", b"Evil")
    elif tamper == "missing_signature":
        del headers["webhook-signature"]
    elif tamper == "garbage_signature":
        headers["webhook-signature"] = "v1,not-base64!! v2,x nonsense"
    elif tamper == "unknown_integration":
        url = url.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
    elif tamper == "malformed_integration_id":
        url = url.rsplit("/", 1)[0] + "/nope"
    elif tamper == "huge_timestamp":  # once an OverflowError and a 500
        headers["webhook-timestamp"] = "9" * 400
    elif tamper == "negative_timestamp":
        headers["webhook-timestamp"] = "-" + headers["webhook-timestamp"]
    elif tamper == "fractional_timestamp":
        headers["webhook-timestamp"] += ".5"
    elif tamper == "oversized_id":
        headers["webhook-id"] = "m" * 300
    elif tamper == "oversized_signature":
        headers["webhook-signature"] = " ".join([headers["webhook-signature"]] * 40)
    before = await snapshot(session)

    r = await client.post(url, content=body, headers=headers)

    problem = assert_problem(r, 401)
    assert "signature" in problem["detail"]
    assert "www-authenticate" not in r.headers
    assert await snapshot(session) == before


async def test_a_deleted_integration_no_longer_accepts_events(
    client: httpx.AsyncClient, alice: UserWithToken, integration: dict[str, Any]
) -> None:
    await client.delete(f"/api/v1/integrations/{integration['id']}", headers=alice.headers)
    r = await send(client, integration, "application.upserted", {"application": ACME})
    assert_problem(r, 401)


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"type": "application.exploded", "data": {"application": ACME}}, "body.type"),
        ({"data": {"application": ACME}}, "body.type"),
        ({"type": "application.upserted", "data": {}}, "body.data.application"),
        ({"type": "application.upserted", "data": []}, "body.data"),
        (
            {"type": "application.upserted", "data": {"application": {"company": "A"}}},
            "body.data.application.external_id",
        ),
        (
            {
                "type": "application.upserted",
                "data": {"application": {**ACME, "recruiter_email": "not an email"}},
            },
            "body.data.application.recruiter_email",
        ),
        (
            {"type": "application.stage_changed", "data": {"application": ACME, "status": "hired"}},
            "body.data.status",
        ),
        (
            {
                "type": "interview.scheduled",
                "data": {
                    "application": ACME,
                    "interview": {"external_id": "i-1", "starts_at": "2026-12-01T15:00:00"},
                },
            },
            "body.data.interview.starts_at",
        ),
        (
            {
                "type": "interview.scheduled",
                "data": {
                    "application": ACME,
                    "interview": {"external_id": "i", "starts_at": STARTS, "ends_at": STARTS},
                },
            },
            "body.data.interview",
        ),
        (
            {"type": "application.upserted", "data": {"application": {"external_id": "new"}}},
            "body.data.application.company",
        ),
        (b"this is not json", "body"),
    ],
)
async def test_unknown_types_and_malformed_data_are_422_and_change_nothing(
    client: httpx.AsyncClient,
    integration: dict[str, Any],
    session: AsyncSession,
    payload: dict[str, Any] | bytes,
    loc: str,
) -> None:
    before = await snapshot(session)
    body, headers = signed(integration["secret"], payload)
    r = await client.post(integration["inbound_url"], content=body, headers=headers)
    assert_problem(r, 422, loc=loc)
    assert await snapshot(session) == before


async def test_unknown_keys_from_relays_are_ignored(
    client: httpx.AsyncClient, integration: dict[str, Any], session: AsyncSession
) -> None:
    data = {"application": {**ACME, "ats_score": 97}, "relay": {"hops": 2}}
    r = await send(client, integration, "application.upserted", data)
    assert r.status_code == 202, r.text
    assert len(await all_rows(session, Application)) == 1


async def test_an_interview_is_scheduled_rescheduled_and_cancelled(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    integration: dict[str, Any],
    session: AsyncSession,
) -> None:
    interview = {
        "external_id": "int-9",
        "starts_at": STARTS,
        "kind": "video",
        "interviewers": [
            {"name": "Grace Hopper", "title": "CTO", "email": "grace@acme.example"},
            {"name": "Alan Turing"},
        ],
    }
    data = {"application": ACME, "interview": interview}
    assert (await send(client, integration, "interview.scheduled", data)).status_code == 202

    [row] = await all_rows(session, Interview)
    assert row.starts_at == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert row.ends_at == row.starts_at + timedelta(hours=1)
    assert row.kind == "video"
    people = {p.name: p for p in await all_rows(session, Interviewer)}
    assert set(people) == {"Grace Hopper", "Alan Turing"}
    [application] = await all_rows(session, Application)
    assert application.status == "interviewing"
    [change] = await all_rows(session, Event)
    assert (change.type, change.from_status, change.to_status) == (
        "status_changed",
        "applied",
        "interviewing",
    )

    # Rescheduled: the same interview moves; people are matched, not duplicated.
    moved = {
        **interview,
        "starts_at": "2026-12-02T09:00:00Z",
        "ends_at": "2026-12-02T10:30:00Z",
        "interviewers": [{"name": "G. Hopper", "email": "GRACE@acme.example"}],
    }
    r = await send(client, integration, "interview.scheduled", {**data, "interview": moved})
    assert r.status_code == 202
    [row] = await all_rows(session, Interview)
    assert row.ends_at == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
    assert len(await all_rows(session, Interviewer)) == 2
    got = await client.get(f"/api/v1/interviews/{row.id}", headers=alice.headers)
    assert got.json()["interviewer_ids"] == [str(people["Grace Hopper"].id)]

    cancel = {"application": ACME, "interview": {"external_id": "int-9"}}
    assert (await send(client, integration, "interview.cancelled", cancel)).status_code == 202
    assert await all_rows(session, Interview) == []
    # Cancelling what is already gone is fine.
    assert (await send(client, integration, "interview.cancelled", cancel)).status_code == 202


@pytest.mark.parametrize(
    ("event_type", "extra", "status"),
    [
        ("application.stage_changed", {"status": "offer"}, "offer"),
        ("application.rejected", {}, "rejected"),
        ("offer.extended", {}, "offer"),
    ],
)
async def test_status_events_change_the_status_and_record_it(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    integration: dict[str, Any],
    session: AsyncSession,
    event_type: str,
    extra: dict[str, Any],
    status: str,
) -> None:
    session.add(
        WebhookSubscription(
            owner_id=alice.user.id, url="https://h.example", events=["*"], secret="whsec_AAAA"
        )
    )
    await session.commit()

    r = await send(client, integration, event_type, {"application": ACME, **extra})

    assert r.status_code == 202, r.text
    [application] = await all_rows(session, Application)
    assert application.status == status
    [change] = await all_rows(session, Event)
    assert (change.type, change.to_status) == ("status_changed", status)
    outbox = sorted(e.type for e in await all_rows(session, WebhookEvent))
    assert outbox == [
        "application.created",
        "application.status_changed",
        "application.updated",
    ]


async def test_references_requested_sets_the_date(
    client: httpx.AsyncClient, integration: dict[str, Any], session: AsyncSession
) -> None:
    data = {"application": ACME, "requested_at": "2026-12-03T09:00:00+00:00"}
    assert (await send(client, integration, "references.requested", data)).status_code == 202
    [application] = await all_rows(session, Application)
    assert application.references_requested_at == datetime(2026, 12, 3, 9, tzinfo=UTC)

    without_date = {"application": {"external_id": "app-1"}}
    r = await send(client, integration, "references.requested", without_date, msg_id="m-now")
    assert r.status_code == 202
    [application] = await all_rows(session, Application)
    [received] = await all_rows(session, InboundMessage, InboundMessage.webhook_id == "m-now")
    assert application.references_requested_at == received.received_at  # "now"
