"""Follow-up events; references are in tests/people/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_application,
    create_interview,
    create_interviewer,
    create_reference,
)
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


async def test_event_defaults_occurred_at_to_now_and_has_warnings(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
    interview: Interview,
) -> None:
    reference = await create_reference(session, alice.user)
    before = datetime.now(UTC)
    r = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={
            "type": "thank_you_email",
            "interviewer_id": str(interviewer.id),
            "interview_id": str(interview.id),
            "reference_id": str(reference.id),
            "channel": "email",
            "notes": "sent from phone",
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        before - timedelta(seconds=1)
        <= datetime.fromisoformat(body["occurred_at"])
        <= datetime.now(UTC)
    )
    assert body["warnings"] == []
    assert body["interview_id"] == str(interview.id)
    assert r.headers["location"].endswith(f"/api/v1/events/{body['id']}")
    assert (await client.get(r.headers["location"], headers=alice.headers)).json() == body


async def test_withdrawal_sets_status_withdrawn_with_a_status_event(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application = await create_application(session, alice.user, status="interviewing")
    when = "2026-11-20T10:00:00+00:00"
    r = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "withdrawal", "occurred_at": when, "channel": "email"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    app_now = (
        await client.get(f"/api/v1/applications/{application.id}", headers=alice.headers)
    ).json()
    assert app_now["status"] == "withdrawn"
    assert app_now["version"] == 2
    events = (
        await client.get(f"/api/v1/applications/{application.id}/events", headers=alice.headers)
    ).json()
    types = sorted(e["type"] for e in events["items"])
    assert types == ["status_changed", "withdrawal"]
    changed = next(e for e in events["items"] if e["type"] == "status_changed")
    assert changed["to_status"] == "withdrawn"
    assert datetime.fromisoformat(changed["occurred_at"]) == datetime.fromisoformat(when)


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"type": "status_changed"}, "body.type"),
        ({"type": "carrier_pigeon"}, "body.type"),
        ({"type": "note", "response": "positive"}, "body"),
        ({"type": "reply_received", "response": "maybe"}, "body.response"),
        ({"type": "note", "channel": "fax"}, "body.channel"),
        ({"type": "note", "occurred_at": "2026-11-20T10:00:00"}, "body.occurred_at"),
        ({"type": "note", "occurred_at": "2999-01-01T00:00:00Z"}, "body.occurred_at"),
        ({"type": "note", "id": "x"}, "body.id"),
        (
            {"type": "note", "interviewer_id": "00000000-0000-0000-0000-000000000000"},
            "body.interviewer_id",
        ),
        (
            {"type": "note", "interview_id": "00000000-0000-0000-0000-000000000000"},
            "body.interview_id",
        ),
        (
            {"type": "note", "reference_id": "00000000-0000-0000-0000-000000000000"},
            "body.reference_id",
        ),
    ],
    ids=[
        "server_only_type",
        "unknown_type",
        "response_on_non_reply",
        "unknown_response",
        "unknown_channel",
        "naive_datetime",
        "in_the_future",
        "read_only_id",
        "random_interviewer",
        "random_interview",
        "random_reference",
    ],
)
async def test_bad_event_is_422_and_changes_nothing(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    payload: dict[str, object],
    loc: str,
) -> None:
    before = await snapshot(session)
    r = await client.post(
        f"/api/v1/applications/{application.id}/events", json=payload, headers=alice.headers
    )
    assert_problem(r, 422, loc=loc)
    assert await snapshot(session) == before


async def test_event_links_from_elsewhere_are_422(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    mine = await create_application(session, alice.user)
    other = await create_application(session, alice.user, company="Other")
    bobs = await create_application(session, bob.user)
    foreign = {
        "interviewer_id": (await create_interviewer(session, other)).id,
        "interview_id": (await create_interview(session, other)).id,
    }
    bobs_things = {
        "interviewer_id": (await create_interviewer(session, bobs)).id,
        "interview_id": (await create_interview(session, bobs)).id,
        "reference_id": (await create_reference(session, bob.user)).id,
    }
    before = await snapshot(session)
    for field, value in [*foreign.items(), *bobs_things.items()]:
        r = await client.post(
            f"/api/v1/applications/{mine.id}/events",
            json={"type": "note", field: str(value)},
            headers=alice.headers,
        )
        assert_problem(r, 422, loc=f"body.{field}")
    assert await snapshot(session) == before


async def test_event_a_few_seconds_ahead_is_accepted(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    r = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "reply_received", "response": "noncommittal", "occurred_at": soon},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text


async def test_events_list_newest_first_filter_and_delete(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application = await create_application(session, alice.user)
    url = f"/api/v1/applications/{application.id}/events"
    made = []
    for hours, kind in ((3, "note"), (1, "status_inquiry"), (2, "note")):
        when = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
        made.append(
            (
                await client.post(
                    url, json={"type": kind, "occurred_at": when}, headers=alice.headers
                )
            ).json()
        )
    listed = [e["id"] for e in (await client.get(url, headers=alice.headers)).json()["items"]]
    assert listed == [made[1]["id"], made[2]["id"], made[0]["id"]]
    notes = (await client.get(url, params={"type": "note"}, headers=alice.headers)).json()["items"]
    assert {e["id"] for e in notes} == {made[0]["id"], made[2]["id"]}
    assert (
        await client.delete(f"/api/v1/events/{made[0]['id']}", headers=alice.headers)
    ).status_code == 204
    assert_problem(await client.get(f"/api/v1/events/{made[0]['id']}", headers=alice.headers), 404)


def test_postable_event_types_are_every_type_but_the_server_only_ones() -> None:
    from app.models.enums import SERVER_ONLY_EVENT_TYPES, EventType, PostableEventType

    assert {t.value for t in PostableEventType} == {
        t.value for t in EventType if t not in SERVER_ONLY_EVENT_TYPES
    }
