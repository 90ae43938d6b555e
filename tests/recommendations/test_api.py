"""Recommendations through the API: list, complete, dismiss, snooze (docs/next-steps.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.recommendations.schemas import RecommendationList
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_application,
    create_event,
    create_interview,
    create_interviewer,
)
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
URL = "/api/v1/recommendations"


async def _recs(
    client: httpx.AsyncClient, user: UserWithToken, **params: Any
) -> list[dict[str, Any]]:
    r = await client.get(URL, params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    # The list is serialised by hand for speed: it must still be the documented shape.
    RecommendationList.model_validate(r.json())
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _one(recs: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    matching = [r for r in recs if r["rule"] == rule]
    assert len(matching) == 1, (rule, [r["rule"] for r in recs])
    return matching[0]


async def _interviewed(
    session: AsyncSession, user: UserWithToken, **app_fields: Any
) -> tuple[Any, Any, Any]:
    application = await create_application(session, user.user, status="interviewing", **app_fields)
    person = await create_interviewer(
        session, application, name="Grace Hopper", email="grace@acme.example"
    )
    ended = datetime.now(UTC) - timedelta(hours=1)
    interview = await create_interview(
        session,
        application,
        [person],
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
        topics="the billing pipeline",
    )
    return application, person, interview


async def test_thank_you_is_recommended_with_a_draft_and_completing_records_it(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application, person, interview = await _interviewed(session, alice)
    recs = await _recs(client, alice)
    thanks = _one(recs, "send_thank_you_email")
    assert thanks["title"] == "Send a thank-you email to Grace Hopper"
    assert thanks["priority"] == "high"
    assert thanks["interviewer_id"] == str(person.id)
    assert thanks["application_id"] == str(application.id)
    assert datetime.fromisoformat(thanks["due_at"]) == interview.ends_at + timedelta(hours=24)
    assert thanks["overdue"] is False
    assert "Grace" in thanks["draft"]["body"]
    assert "billing pipeline" in thanks["draft"]["body"]
    assert thanks["completion"]["kind"] == "event"
    assert [r["due_at"] for r in recs] == sorted(r["due_at"] for r in recs)

    done = await client.post(
        f"{URL}/{thanks['id']}/complete", json={"notes": "sent"}, headers=alice.headers
    )
    assert done.status_code == 200, done.text
    event = done.json()["event"]
    assert event["type"] == "thank_you_email"
    assert event["interviewer_id"] == str(person.id)
    assert event["notes"] == "sent"
    after = await _recs(client, alice)
    assert thanks["id"] not in {r["id"] for r in after}
    assert _one(after, "connect_on_linkedin")["interviewer_id"] == str(person.id)
    # Completing twice: the step is gone, so it's 404.
    assert_problem(await client.post(f"{URL}/{thanks['id']}/complete", headers=alice.headers), 404)


async def test_overdue_flag_and_as_of(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    _, _, interview = await _interviewed(session, alice)
    later = (interview.ends_at + timedelta(hours=25)).isoformat()
    thanks = _one(await _recs(client, alice, as_of=later), "send_thank_you_email")
    assert thanks["overdue"] is True
    before = (interview.starts_at - timedelta(days=2)).isoformat()
    assert all(
        r["rule"] != "send_thank_you_email" for r in await _recs(client, alice, as_of=before)
    )
    assert_problem(
        await client.get(URL, params={"as_of": "2026-11-20T10:00:00"}, headers=alice.headers), 422
    )
    for far in ("9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z"):
        r = await client.get(URL, params={"as_of": far}, headers=alice.headers)
        assert_problem(r, 422, loc="query.as_of")


async def test_dismiss_hides_for_good_and_survives_a_restart(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _interviewed(session, alice)
    note = _one(await _recs(client, alice), "send_handwritten_note")
    r = await client.post(f"{URL}/{note['id']}/dismiss", headers=alice.headers)
    assert r.status_code == 204
    # A new app instance (a restart) reads the decision from the database.
    restarted = create_app(settings, sessionmaker)
    transport = httpx.ASGITransport(app=restarted)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as fresh:
        far = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        assert note["id"] not in {r["id"] for r in await _recs(fresh, alice, as_of=far)}
    assert_problem(await client.post(f"{URL}/{note['id']}/dismiss", headers=alice.headers), 404)


async def test_snooze_hides_until_the_time(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    await _interviewed(session, alice)
    note = _one(await _recs(client, alice), "send_handwritten_note")
    until = datetime.now(UTC) + timedelta(hours=5)
    r = await client.post(
        f"{URL}/{note['id']}/snooze", json={"until": until.isoformat()}, headers=alice.headers
    )
    assert r.status_code == 204, r.text
    assert note["id"] not in {x["id"] for x in await _recs(client, alice)}
    just_before = (until - timedelta(seconds=1)).isoformat()
    assert note["id"] not in {x["id"] for x in await _recs(client, alice, as_of=just_before)}
    assert note["id"] in {x["id"] for x in await _recs(client, alice, as_of=until.isoformat())}


@pytest.mark.parametrize(
    "until",
    [
        (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "2030-01-01T09:00:00",
        "tomorrow",
    ],
    ids=["in_the_past", "naive", "not_a_datetime"],
)
async def test_bad_snooze_is_422_and_changes_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, until: str
) -> None:
    await _interviewed(session, alice)
    note = _one(await _recs(client, alice), "send_handwritten_note")
    before = await snapshot(session)
    r = await client.post(
        f"{URL}/{note['id']}/snooze", json={"until": until}, headers=alice.headers
    )
    assert_problem(r, 422, loc="body.until")
    assert await snapshot(session) == before


async def test_unknown_or_foreign_recommendation_is_404(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    await _interviewed(session, alice)
    thanks = _one(await _recs(client, alice), "send_thank_you_email")
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    before = await snapshot(session)
    for rec_id in (thanks["id"], "rec_doesnotexist"):
        assert_problem(await client.post(f"{URL}/{rec_id}/complete", headers=bob.headers), 404)
        assert_problem(await client.post(f"{URL}/{rec_id}/dismiss", headers=bob.headers), 404)
        assert_problem(
            await client.post(
                f"{URL}/{rec_id}/snooze", json={"until": future}, headers=bob.headers
            ),
            404,
        )
    assert await snapshot(session) == before


async def test_manual_step_cannot_be_completed_in_one_click(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application = await create_application(session, alice.user, status="interviewing")
    await create_interview(session, application)  # ended, nobody recorded
    record = _one(await _recs(client, alice), "record_interviewers")
    assert record["completion"]["kind"] == "manual"
    before = await snapshot(session)
    body = assert_problem(
        await client.post(f"{URL}/{record['id']}/complete", headers=alice.headers), 409
    )
    assert body["detail"] == record["completion"]["hint"]
    assert await snapshot(session) == before


async def test_back_dated_completion_that_would_not_close_it_is_422(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    _, _, interview = await _interviewed(session, alice)
    thanks = _one(await _recs(client, alice), "send_thank_you_email")
    before = await snapshot(session)
    too_early = (interview.starts_at - timedelta(days=1)).isoformat()
    r = await client.post(
        f"{URL}/{thanks['id']}/complete", json={"occurred_at": too_early}, headers=alice.headers
    )
    assert_problem(r, 422, loc="body.occurred_at")
    assert await snapshot(session) == before


async def test_move_on_closes_the_application(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application, _, interview = await _interviewed(session, alice)
    first = interview.ends_at + timedelta(days=7)
    await create_event(session, application, type="status_inquiry", occurred_at=first)
    await create_event(
        session, application, type="status_inquiry", occurred_at=first + timedelta(days=7)
    )
    as_of = (first + timedelta(days=15)).isoformat()
    recs = await _recs(client, alice, as_of=as_of)
    assert not [r for r in recs if r["rule"] == "send_status_inquiry"]
    move_on = _one(recs, "move_on")
    assert move_on["draft"] is None
    # The events are in the future relative to now, so complete as of now can't see the
    # step; complete it through a dedicated check of status instead.
    r = await client.patch(
        f"/api/v1/applications/{application.id}", json={"status": "closed"}, headers=alice.headers
    )
    assert r.status_code == 200
    assert not [x for x in await _recs(client, alice, as_of=as_of) if x["rule"] == "move_on"]


async def test_filtered_by_application(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    first, _, _ = await _interviewed(session, alice)
    second, _, _ = await _interviewed(session, alice, company="Globex")
    only_first = await _recs(client, alice, application_id=str(first.id))
    assert only_first
    assert {r["application_id"] for r in only_first} == {str(first.id)}
    nested = await client.get(
        f"/api/v1/applications/{second.id}/recommendations", headers=alice.headers
    )
    assert {r["application_id"] for r in nested.json()["items"]} == {str(second.id)}
    assert_problem(
        await client.get(URL, params={"application_id": str(first.id)}, headers=bob.headers), 404
    )
    assert_problem(
        await client.get(URL, params={"application_id": "nope"}, headers=alice.headers), 404
    )


async def test_status_inquiry_too_soon_is_recorded_with_a_warning(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    application, _, _ = await _interviewed(session, alice)
    r = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "status_inquiry"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    assert len(r.json()["warnings"]) == 1
    assert r.json()["warnings"][0]
    note = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "note"},
        headers=alice.headers,
    )
    assert note.json()["warnings"] == []
