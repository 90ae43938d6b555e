"""Cached next steps: reused only while the data and the clock say they still hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic_core import to_json
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.models import (
    Application,
    Event,
    Interview,
    Interviewer,
    RecommendationState,
    Reference,
    User,
    application_references,
    interview_interviewers,
)
from app.recommendations import service
from app.recommendations.cache import StepCache, Steps, Version, step_cache
from app.recommendations.router import _listing
from app.recommendations.schemas import recommendation_json
from tests.factories import (
    UserWithToken,
    create_application,
    create_event,
    create_interview,
    create_interviewer,
    create_reference,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio
URL = "/api/v1/recommendations"


async def _rules(client: httpx.AsyncClient, user: UserWithToken, **params: Any) -> list[str]:
    r = await client.get(URL, params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    return [item["rule"] for item in r.json()["items"]]


async def _version(session: AsyncSession, user: User) -> int:
    value = await session.scalar(select(User.data_version).where(User.id == user.id))
    assert value is not None
    return value


async def _interview_ending(
    session: AsyncSession, user: UserWithToken, ends_at: datetime
) -> tuple[Application, Interviewer]:
    application = await create_application(session, user.user, status="interviewing")
    person = await create_interviewer(session, application, email="grace@acme.example")
    await create_interview(
        session, application, [person], starts_at=ends_at - timedelta(hours=1), ends_at=ends_at
    )
    return application, person


async def test_a_second_request_is_served_without_loading_again(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, engine: AsyncEngine
) -> None:
    await _interview_ending(session, alice, datetime.now(UTC) - timedelta(hours=1))
    first = await client.get(URL, headers=alice.headers)
    with count_queries(engine) as statements:
        second = await client.get(URL, headers=alice.headers)
    assert [i["id"] for i in second.json()["items"]] == [i["id"] for i in first.json()["items"]]
    assert second.json()["items"], "nothing to compare"
    # Only the token lookup: no application, interview, person, event or reference query.
    sent = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sent) == 1, sent
    assert "api_tokens" in sent[0]


async def test_a_write_by_anyone_is_seen_at_once(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    """Writes straight to the database, not through the API, still change what is served."""
    application, person = await _interview_ending(
        session, alice, datetime.now(UTC) - timedelta(hours=1)
    )
    assert "send_thank_you_email" in await _rules(client, alice)
    await create_event(
        session,
        application,
        type="thank_you_email",
        interviewer_id=person.id,
        occurred_at=datetime.now(UTC),
    )
    rules = await _rules(client, alice)
    assert "send_thank_you_email" not in rules
    assert "connect_on_linkedin" in rules


async def test_the_clock_passing_an_interviews_end_opens_its_steps(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    ends = datetime.now(UTC) + timedelta(hours=2)
    await _interview_ending(session, alice, ends)
    assert "send_thank_you_email" not in await _rules(client, alice)
    after = (ends + timedelta(minutes=1)).isoformat()
    assert "send_thank_you_email" in await _rules(client, alice, as_of=after)


async def test_keep_applying_is_due_at_each_requests_as_of(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=30)
    application = await create_application(
        session, alice.user, status="interviewing", created_at=long_ago
    )
    await create_interview(session, application, starts_at=long_ago + timedelta(days=1))
    for minutes in (0, 1, 2):
        as_of = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
        r = await client.get(URL, params={"as_of": as_of.isoformat()}, headers=alice.headers)
        nudge = [i for i in r.json()["items"] if i["rule"] == "keep_applying"]
        assert [datetime.fromisoformat(i["due_at"]) for i in nudge] == [as_of]
        assert r.json()["items"] == sorted(r.json()["items"], key=lambda i: (i["due_at"], i["id"]))


async def _snoozed_note(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> tuple[str, datetime]:
    """A handwritten-note step, snoozed for three hours: its id and the snooze's end."""
    await _interview_ending(session, alice, datetime.now(UTC) - timedelta(hours=1))
    items = (await client.get(URL, headers=alice.headers)).json()["items"]
    note = next(i for i in items if i["rule"] == "send_handwritten_note")
    until = datetime.now(UTC) + timedelta(hours=3)
    snooze = {"until": until.isoformat()}
    r = await client.post(f"{URL}/{note['id']}/snooze", json=snooze, headers=alice.headers)
    assert r.status_code == 204
    return note["id"], until


async def test_a_snoozed_step_returns_when_the_snooze_ends(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    _, until = await _snoozed_note(client, alice, session)
    assert "send_handwritten_note" not in await _rules(client, alice)
    assert "send_handwritten_note" in await _rules(client, alice, as_of=until.isoformat())


async def test_steps_read_during_a_write_are_not_kept(
    alice: UserWithToken, session: AsyncSession
) -> None:
    """The version read with the user no longer matches: the result is served, never stored."""
    user = alice.user
    stale = Version(await _version(session, user), user.name, user.timezone)
    await create_application(session, user)
    assert await _version(session, user) != stale.data_version
    step_cache.discard(user.id)
    as_of = datetime.now(UTC)
    steps = await service.open_steps(session, user, as_of)
    assert steps.version == stale
    assert step_cache.get(user.id, stale, as_of) is None


async def test_every_write_to_a_table_the_engine_reads_changes_the_version(
    alice: UserWithToken, session: AsyncSession
) -> None:
    """Insert, update and delete, one table at a time, link tables included."""
    user = alice.user
    seen = {await _version(session, user)}

    async def changed(statement: Any = None) -> None:
        if statement is not None:
            await session.execute(statement)
        await session.flush()
        version = await _version(session, user)
        assert version not in seen, statement
        seen.add(version)

    application = await create_application(session, user)
    await changed()
    person = await create_interviewer(session, application)
    await changed()
    interview = await create_interview(session, application)
    await changed()
    reference = await create_reference(session, user)
    await changed()
    event = await create_event(session, application)
    await changed()
    session.add(RecommendationState(owner_id=user.id, recommendation_id="rec_x"))
    await changed()
    await changed(
        interview_interviewers.insert().values(interview_id=interview.id, interviewer_id=person.id)
    )
    await changed(
        application_references.insert().values(
            application_id=application.id, reference_id=reference.id
        )
    )
    for statement in (
        update(Application).where(Application.id == application.id).values(company="Initech"),
        update(Interview).where(Interview.id == interview.id).values(topics="APIs"),
        update(Interviewer).where(Interviewer.id == person.id).values(name="Ada"),
        update(Event).where(Event.id == event.id).values(notes="sent"),
        update(Reference).where(Reference.id == reference.id).values(name="Linus"),
        update(RecommendationState)
        .where(RecommendationState.owner_id == user.id)
        .values(dismissed_at=datetime.now(UTC)),
        delete(interview_interviewers).where(interview_interviewers.c.interview_id == interview.id),
        delete(application_references).where(
            application_references.c.application_id == application.id
        ),
        delete(RecommendationState).where(RecommendationState.owner_id == user.id),
        delete(Event).where(Event.id == event.id),
        delete(Interview).where(Interview.id == interview.id),
        delete(Interviewer).where(Interviewer.id == person.id),
        delete(Reference).where(Reference.id == reference.id),
        delete(Application).where(Application.id == application.id),
    ):
        await changed(statement)


def test_the_cache_keeps_at_most_its_budget_of_steps() -> None:
    cache = StepCache(max_steps=3)
    now = datetime.now(UTC)
    version = Version(1, "Sam", "UTC")
    users = [uuid.uuid4() for _ in range(3)]
    for user_id in users:
        cache.put(user_id, Steps(version, now, now + timedelta(hours=1), [], []))
    assert len(cache) == 3
    assert cache.get(users[0], version, now) is not None  # now the most recently used
    cache.put(uuid.uuid4(), Steps(version, now, now + timedelta(hours=1), [], []))
    assert cache.get(users[1], version, now) is None  # the least recently used went
    assert cache.get(users[0], version, now) is not None
    assert cache.get(users[0], version, now + timedelta(hours=1)) is None
    assert cache.get(users[0], Version(2, "Sam", "UTC"), now) is None


async def test_the_assembled_listing_is_what_a_serialiser_would_write(
    alice: UserWithToken, session: AsyncSession
) -> None:
    await _interview_ending(session, alice, datetime.now(UTC) - timedelta(hours=1))
    as_of = datetime.now(UTC)
    steps = await service.open_steps(session, alice.user, as_of)
    for _ in range(2):  # the second time from the stored JSON
        body = _listing(as_of, steps).body
        expected = {"as_of": as_of, "items": [recommendation_json(r) for r in steps.visible]}
        assert bytes(body) == to_json(expected)


async def test_a_snoozed_step_can_still_be_dismissed(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    note_id, until = await _snoozed_note(client, alice, session)
    r = await client.post(f"{URL}/{note_id}/dismiss", headers=alice.headers)
    assert r.status_code == 204
    assert "send_handwritten_note" not in await _rules(client, alice, as_of=until.isoformat())
    r = await client.post(f"{URL}/{note_id}/dismiss", headers=alice.headers)
    assert r.status_code == 404
