"""PATCH /events/{id}: what may change, checked as on creation, with ETags."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_application, create_reference

pytestmark = pytest.mark.anyio


async def _record(
    client: httpx.AsyncClient, user: UserWithToken, application: Application, **body: Any
) -> httpx.Response:
    r = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"occurred_at": "2026-11-20T10:00:00+00:00", **body},
        headers=user.headers,
    )
    assert r.status_code == 201, r.text
    return r


async def test_an_edit_changes_the_fields_given_and_bumps_the_version(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
    interview: Interview,
) -> None:
    created = await _record(client, alice, application, type="reply_received", response="positive")
    assert created.headers["etag"] == '"1"'
    url = f"/api/v1/events/{created.json()['id']}"
    reference = await create_reference(session, alice.user)
    r = await client.patch(
        url,
        json={
            "occurred_at": "2026-11-21T09:30:00+00:00",
            "channel": "phone",
            "response": "next_round",
            "notes": "call with the lead",
            "interviewer_id": str(interviewer.id),
            "interview_id": str(interview.id),
            "reference_id": str(reference.id),
        },
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 2
    assert r.headers["etag"] == '"2"'
    assert body["occurred_at"].startswith("2026-11-21T09:30:00")
    assert (body["channel"], body["response"], body["notes"]) == (
        "phone",
        "next_round",
        "call with the lead",
    )
    assert body["interviewer_id"] == str(interviewer.id)
    assert body["type"] == "reply_received"
    got = await client.get(url, headers=alice.headers)
    assert got.json() == body
    assert got.headers["etag"] == '"2"'
    cleared = await client.patch(url, json={"notes": None}, headers=alice.headers)
    assert cleared.json()["notes"] is None
    assert cleared.json()["channel"] == "phone"


async def test_a_reply_edited_into_an_offer_leaves_the_status_alone(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    created = await _record(client, alice, application, type="reply_received", response="positive")
    r = await client.patch(
        f"/api/v1/events/{created.json()['id']}", json={"response": "offer"}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    app_now = await client.get(f"/api/v1/applications/{application.id}", headers=alice.headers)
    assert app_now.json()["status"] == "applied"


async def test_a_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, application: Application
) -> None:
    created = await _record(client, alice, application, type="note", notes="first")
    url = f"/api/v1/events/{created.json()['id']}"
    await client.patch(url, json={"notes": "second"}, headers=alice.headers)
    before = await snapshot(session)
    r = await client.patch(
        url, json={"notes": "third"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert_status(r, 412)
    assert await snapshot(session) == before


def assert_status(r: httpx.Response, code: int) -> None:
    assert r.status_code == code, r.text


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"type": "note"}, "type"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00+00:00"}, "occurred_at"),
        ({"response": "offer"}, "response"),
        ({"channel": "pigeon"}, "channel"),
        ({"interviewer_id": "00000000-0000-4000-8000-000000000000"}, "interviewer_id"),
        ({"interview_id": "00000000-0000-4000-8000-000000000000"}, "interview_id"),
        ({"reference_id": "00000000-0000-4000-8000-000000000000"}, "reference_id"),
        ({"notes": "ok", "colour": "red"}, "colour"),
    ],
)
async def test_bad_input_is_422_and_changes_nothing(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    body: dict[str, Any],
    where: str,
) -> None:
    created = await _record(client, alice, application, type="thank_you_email", notes="kept")
    before = await snapshot(session)
    r = await client.patch(
        f"/api/v1/events/{created.json()['id']}", json=body, headers=alice.headers
    )
    assert_status(r, 422)
    assert where in r.text
    assert await snapshot(session) == before


async def test_links_to_another_application_are_refused(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
) -> None:
    other = await create_application(session, alice.user)
    created = await _record(client, alice, other, type="note")
    before = await snapshot(session)
    r = await client.patch(
        f"/api/v1/events/{created.json()['id']}",
        json={"interviewer_id": str(interviewer.id)},
        headers=alice.headers,
    )
    assert_status(r, 422)
    assert await snapshot(session) == before


async def test_server_written_events_cannot_be_edited(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    await client.patch(
        f"/api/v1/applications/{application.id}",
        json={"status": "interviewing"},
        headers=alice.headers,
    )
    events = await client.get(
        f"/api/v1/applications/{application.id}/events?type=status_changed", headers=alice.headers
    )
    (change,) = events.json()["items"]
    r = await client.patch(
        f"/api/v1/events/{change['id']}", json={"notes": "x"}, headers=alice.headers
    )
    assert_status(r, 422)


async def test_someone_else_s_event_is_404(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    application: Application,
) -> None:
    created = await _record(client, alice, application, type="note")
    r = await client.patch(
        f"/api/v1/events/{created.json()['id']}", json={"notes": "x"}, headers=bob.headers
    )
    assert_status(r, 404)
