"""/calendar.ics and the secret feed: interviews as events, next steps as all-day events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, CalendarFeed
from tests.factories import (
    UserWithToken,
    create_application,
    create_interview,
    create_interviewer,
    create_user_with_token,
)
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
AUCKLAND = ZoneInfo("Pacific/Auckland")


def parse(response: httpx.Response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "no-store" in response.headers["cache-control"]
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_calendar_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/calendar.ics"), 401)


async def test_interviews_are_events_with_their_times(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, bob: UserWithToken
) -> None:
    application = await create_application(
        session, alice.user, company="Globex", role_title="Data Engineer"
    )
    grace = await create_interviewer(session, application, name="Grace Hopper", title="CTO")
    starts = datetime(2030, 5, 4, 9, 30, tzinfo=UTC)
    interview = await create_interview(
        session, application, [grace], starts_at=starts, kind="onsite", round=2
    )
    other = await create_application(session, bob.user, company="Initech")
    await create_interview(session, other, starts_at=starts)

    calendar = parse(await client.get("/api/v1/calendar.ics", headers=alice.headers))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"  # how often calendar apps poll
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    interviews = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("interview-")]
    assert len(interviews) == 1  # none of Bob's
    [event] = interviews
    assert str(event["UID"]) == f"interview-{interview.id}@followup"
    assert str(event["SUMMARY"]) == "Interview: Data Engineer at Globex"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + timedelta(hours=1)
    assert "Grace Hopper, CTO" in str(event["DESCRIPTION"])
    assert "Round 2 (onsite)" in str(event["DESCRIPTION"])


async def test_an_interview_keeps_its_uid_when_it_moves(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, application: Application
) -> None:
    interview = await create_interview(
        session, application, starts_at=datetime(2030, 1, 1, 10, tzinfo=UTC)
    )
    uid = f"interview-{interview.id}@followup"
    before = events_by_uid(parse(await client.get("/api/v1/calendar.ics", headers=alice.headers)))
    moved = await client.patch(
        f"/api/v1/interviews/{interview.id}",
        json={"starts_at": "2030-01-02T10:00:00Z", "ends_at": "2030-01-02T11:00:00Z"},
        headers=alice.headers,
    )
    assert moved.status_code == 200, moved.text
    after = events_by_uid(parse(await client.get("/api/v1/calendar.ics", headers=alice.headers)))
    assert after[uid].decoded("DTSTART") == datetime(2030, 1, 2, 10, tzinfo=UTC)
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]


async def test_next_steps_are_all_day_events_on_their_due_day_in_the_users_timezone(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    kiwi = await create_user_with_token(
        session, email="kiwi@example.com", name="Kiri", timezone="Pacific/Auckland"
    )
    application = await create_application(
        session, kiwi.user, company="Weta", role_title="Pipeline TD"
    )
    person = await create_interviewer(session, application, name="Peter", email="p@weta.example")
    # Ends at 11:30 UTC yesterday: the thank-you is due 11:30 UTC today, which is
    # already tomorrow in Auckland, so the day must come from the user's timezone.
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    starts = datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(hours=10, minutes=30)
    await create_interview(session, application, [person], starts_at=starts)

    steps = (await client.get("/api/v1/recommendations", headers=kiwi.headers)).json()["items"]
    assert steps, "the interview should have open next steps"
    calendar = parse(await client.get("/api/v1/calendar.ics", headers=kiwi.headers))
    events = events_by_uid(calendar)

    for step in steps:
        event = events[f"next-step-{step['id']}@followup"]
        due = datetime.fromisoformat(step["due_at"])
        start = event.decoded("DTSTART")
        assert type(start) is date  # all-day
        assert start == due.astimezone(AUCKLAND).date()
        assert event.decoded("DTEND") == start + timedelta(days=1)
        assert str(event["SUMMARY"]) == step["title"]
    [thanks] = [s for s in steps if s["rule"] == "send_thank_you_email"]
    thanks_due = datetime.fromisoformat(thanks["due_at"])
    assert thanks_due.astimezone(AUCKLAND).date() != thanks_due.astimezone(UTC).date()
    thanks_event = events[f"next-step-{thanks['id']}@followup"]
    assert thanks_event["PRIORITY"] == 1
    assert "Pipeline TD at Weta" in str(thanks_event["DESCRIPTION"])


async def test_feed_url_works_without_a_token_and_a_new_one_replaces_it(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    application = await create_application(session, alice.user, company="Globex")
    await create_interview(session, application, starts_at=datetime(2030, 3, 1, 9, tzinfo=UTC))

    created = await client.post("/api/v1/calendar/feed", headers=alice.headers)
    assert created.status_code == 201, created.text
    first = created.json()["url"]
    assert created.headers["location"] == first
    assert first.startswith("http://test/api/v1/calendar/feed/cal_")
    assert first.endswith(".ics")
    feed = parse(await client.get(first))
    assert any("Globex" in str(e["SUMMARY"]) for e in feed.walk("VEVENT"))

    second = (await client.post("/api/v1/calendar/feed", headers=alice.headers)).json()["url"]
    assert second != first
    assert_problem(await client.get(first), 404)
    parse(await client.get(second))

    revoked = await client.delete("/api/v1/calendar/feed", headers=alice.headers)
    assert revoked.status_code == 204
    assert_problem(await client.get(second), 404)
    again = await client.delete("/api/v1/calendar/feed", headers=alice.headers)
    assert again.status_code == 204


async def test_only_a_hash_of_the_feed_secret_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    url = (await client.post("/api/v1/calendar/feed", headers=alice.headers)).json()["url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    [row] = (await session.scalars(select(CalendarFeed))).all()
    assert row.user_id == alice.user.id
    assert secret not in row.secret_hash
    assert len(row.secret_hash) == 64


async def test_feed_management_needs_a_token_and_a_made_up_secret_is_404(
    client: httpx.AsyncClient,
) -> None:
    assert_problem(await client.post("/api/v1/calendar/feed"), 401)
    assert_problem(await client.delete("/api/v1/calendar/feed"), 401)
    assert_problem(await client.get("/api/v1/calendar/feed/cal_madeup.ics"), 404)


async def test_feeds_are_per_user(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, bob: UserWithToken
) -> None:
    alice_app = await create_application(session, alice.user, company="AliceCo")
    await create_interview(session, alice_app, starts_at=datetime(2030, 3, 1, 9, tzinfo=UTC))
    alice_url = (await client.post("/api/v1/calendar/feed", headers=alice.headers)).json()["url"]
    bob_url = (await client.post("/api/v1/calendar/feed", headers=bob.headers)).json()["url"]
    await client.delete("/api/v1/calendar/feed", headers=bob.headers)
    parse(await client.get(alice_url))  # Bob revoking his feed leaves Alice's alone
    assert_problem(await client.get(bob_url), 404)
    bob_calendar = parse(await client.get("/api/v1/calendar.ics", headers=bob.headers))
    assert not any("AliceCo" in str(e.get("SUMMARY")) for e in bob_calendar.walk("VEVENT"))
