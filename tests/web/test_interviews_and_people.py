"""Interviews (typed in local time), the people met, and the timeline, through the web."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_application,
    create_event,
    create_interview,
    create_interviewer,
    create_reference,
)
from tests.web.helpers import Browser, assert_html, field_error, flash_of, input_value, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def application(web: Browser, session: AsyncSession) -> Application:
    web.user.timezone = "America/New_York"
    await session.commit()
    return await create_application(session, web.user)


async def test_add_an_interview_in_local_time(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    grace = await create_interviewer(session, application)
    form = assert_html(await web.get(f"/applications/{application.id}/interviews/new"), 200)
    assert "America/New_York" in form
    assert "Grace Hopper" in form
    r = await web.post(
        f"/applications/{application.id}/interviews/new",
        {
            "starts_at": "2026-07-01T14:30",
            "kind": "video",
            "round": "2",
            "interviewer_ids": [str(grace.id)],
            "topics": "the billing pipeline",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/applications/{application.id}"
    interview = await session.scalar(select(Interview))
    assert interview is not None
    # 14:30 in New York in July is 18:30 UTC; the default length is an hour.
    assert interview.starts_at == datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    assert interview.ends_at == interview.starts_at + timedelta(hours=1)
    assert interview.kind == "video"
    assert interview.round == 2
    page = text_of((await web.get(r.headers["location"])).text)
    assert "Wed 1 Jul" in page
    assert "14:30" in page
    assert "With Grace Hopper" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"starts_at": ""}, "starts_at", "Enter when it starts."),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a date and time, like 2026-03-01 14:00."),
        (
            {"starts_at": "2026-07-01T14:30", "ends_at": "2026-07-01T14:00"},
            "ends_at",
            "The end must be after the start.",
        ),
        (
            # Clocks go forward at 02:00 on 8 March 2026 in New York: 02:30 never happens.
            {"starts_at": "2026-03-08T02:30"},
            "starts_at",
            "That time doesn't exist in America/New_York: the clocks change then.",
        ),
        ({"starts_at": "2026-07-01T14:30", "round": "0"}, "round", "Enter 1 or more."),
        (
            {"starts_at": "2026-07-01T14:30", "kind": "karaoke"},
            "kind",
            "Choose one of the options.",
        ),
    ],
)
async def test_invalid_interviews_are_refused_with_the_input_kept(
    web: Browser,
    session: AsyncSession,
    application: Application,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = await snapshot(session)
    r = await web.post(
        f"/applications/{application.id}/interviews/new", {"topics": "kept", **fields}
    )
    page = assert_html(r, 422)
    assert field_error(page, f"f-{field}") == message
    assert "kept</textarea>" in page
    assert await snapshot(session) == before


async def test_interviewers_of_another_application_cannot_be_linked(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    other = await create_application(session, web.user, company="Globex")
    stranger = await create_interviewer(session, other)
    before = await snapshot(session)
    r = await web.post(
        f"/applications/{application.id}/interviews/new",
        {"starts_at": "2026-07-01T14:30", "interviewer_ids": [str(stranger.id)]},
    )
    page = assert_html(r, 422)
    assert "No interviewer of this application" in (field_error(page, "f-interviewer_ids") or "")
    assert await snapshot(session) == before


async def test_edit_an_interview(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    interview = await create_interview(
        session, application, starts_at=datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    )
    page = assert_html(await web.get(f"/interviews/{interview.id}/edit"), 200)
    assert input_value(page, "f-starts_at") == "2026-07-01T14:30"
    assert input_value(page, "f-ends_at") == "2026-07-01T15:30"
    r = await web.post(
        f"/interviews/{interview.id}/edit",
        {"starts_at": "2026-07-02T09:00", "ends_at": "", "kind": "onsite", "notes": "Bring ID"},
    )
    assert r.status_code == 303
    await session.refresh(interview)
    assert interview.starts_at == datetime(2026, 7, 2, 13, tzinfo=UTC)
    assert interview.ends_at == datetime(2026, 7, 2, 14, tzinfo=UTC)
    assert interview.notes == "Bring ID"


async def test_invalid_interview_edit_changes_nothing(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    interview = await create_interview(session, application)
    before = await snapshot(session)
    r = await web.post(
        f"/interviews/{interview.id}/edit", {"starts_at": "2026-07-02T09:00", "round": "-1"}
    )
    assert_html(r, 422)
    assert await snapshot(session) == before


async def test_delete_an_interview_after_confirming(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    interview = await create_interview(session, application)
    assert "Delete this interview?" in assert_html(
        await web.get(f"/interviews/{interview.id}/delete"), 200
    )
    before = await snapshot(session)
    assert_html(await web.client.post(f"/interviews/{interview.id}/delete"), 403)
    assert await snapshot(session) == before
    r = await web.post(f"/interviews/{interview.id}/delete")
    assert r.status_code == 303
    session.expunge_all()
    assert (await session.scalars(select(Interview))).all() == []


async def test_add_edit_and_remove_a_person(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    r = await web.post(
        f"/applications/{application.id}/interviewers/new",
        {
            "name": "Grace Hopper",
            "title": "EM",
            "email": "grace@acme.example",
            "is_main_contact": "yes",
        },
    )
    assert r.status_code == 303
    person = await session.scalar(select(Interviewer))
    assert person is not None
    assert person.is_main_contact is True
    page = assert_html(await web.get(f"/interviewers/{person.id}/edit"), 200)
    assert input_value(page, "f-email") == "grace@acme.example"
    assert 'value="yes" checked' in page
    r = await web.post(
        f"/interviewers/{person.id}/edit", {"name": "Grace B. Hopper", "title": "", "email": ""}
    )
    assert r.status_code == 303
    await session.refresh(person)
    assert (person.name, person.title, person.email, person.is_main_contact) == (
        "Grace B. Hopper",
        None,
        None,
        False,
    )
    assert "Remove this person?" in (await web.get(f"/interviewers/{person.id}/delete")).text
    r = await web.post(f"/interviewers/{person.id}/delete")
    assert r.status_code == 303
    assert "Removed Grace B. Hopper." in (
        flash_of((await web.get(r.headers["location"])).text) or ""
    )
    session.expunge_all()
    assert (await session.scalars(select(Interviewer))).all() == []


async def test_invalid_person_is_refused(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    before = await snapshot(session)
    r = await web.post(
        f"/applications/{application.id}/interviewers/new",
        {"name": "", "email": "nope", "linkedin_url": "ftp://x"},
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-name") == "This is required."
    assert field_error(page, "f-email") == "Enter an email address like name@example.com."
    assert field_error(page, "f-linkedin_url") == "Enter a web address starting with https://."
    assert input_value(page, "f-email") == "nope"
    assert await snapshot(session) == before


async def test_log_an_event_with_links(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    grace = await create_interviewer(session, application)
    interview = await create_interview(session, application, [grace])
    reference = await create_reference(session, web.user)
    form = assert_html(await web.get(f"/applications/{application.id}/events/new"), 200)
    assert input_value(form, "f-occurred_at") == ""  # empty means now, to the microsecond
    assert "Status changed" not in form  # server-only type is not offered
    r = await web.post(
        f"/applications/{application.id}/events/new",
        {
            "type": "thank_you_email",
            "occurred_at": "",
            "channel": "email",
            "interviewer_id": str(grace.id),
            "interview_id": str(interview.id),
            "reference_id": str(reference.id),
            "notes": "Sent from my phone",
        },
    )
    assert r.status_code == 303
    event = await session.scalar(select(Event))
    assert event is not None
    assert (event.type, event.interviewer_id, event.channel) == (
        "thank_you_email",
        grace.id,
        "email",
    )
    page = text_of((await web.get(f"/applications/{application.id}")).text)
    assert "Thank-you email · Grace Hopper" in page
    assert "Sent from my phone" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": ""}, "type", "Choose one of the options."),
        (
            {"type": "status_changed"},
            "type",
            "Choose one of the options.",  # not one the form offers: the server writes it
        ),
        (
            {"type": "note", "response": "offer"},
            "response",
            "This is only for reply_received events.",
        ),
        (
            {"type": "note", "occurred_at": "2999-01-01T10:00"},
            "occurred_at",
            "This is in the future: record things once they have happened.",
        ),
    ],
)
async def test_invalid_events_are_refused(
    web: Browser,
    session: AsyncSession,
    application: Application,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = await snapshot(session)
    r = await web.post(f"/applications/{application.id}/events/new", {"notes": "kept", **fields})
    page = assert_html(r, 422)
    assert field_error(page, f"f-{field}") == message
    assert "kept</textarea>" in page
    assert await snapshot(session) == before


async def test_a_status_inquiry_against_the_advice_is_logged_with_a_warning(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    grace = await create_interviewer(session, application)
    await create_interview(session, application, [grace])
    r = await web.post(
        f"/applications/{application.id}/events/new", {"type": "status_inquiry", "channel": "email"}
    )
    assert r.status_code == 303
    flash = flash_of((await web.get(r.headers["location"])).text) or ""
    assert flash.startswith("Heads-up: Logged. Note:")


async def test_a_withdrawal_sets_the_status(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    r = await web.post(f"/applications/{application.id}/events/new", {"type": "withdrawal"})
    assert r.status_code == 303
    await session.refresh(application)
    assert application.status == "withdrawn"


async def test_delete_a_timeline_entry(
    web: Browser, session: AsyncSession, application: Application, bob: UserWithToken
) -> None:
    event = await create_event(session, application, notes="oops")
    assert "Delete this timeline entry?" in (await web.get(f"/events/{event.id}/delete")).text
    theirs = await create_event(session, await create_application(session, bob.user))
    assert_html(await web.get(f"/events/{theirs.id}/delete"), 404)
    assert_html(await web.post(f"/events/{theirs.id}/delete"), 404)
    r = await web.post(f"/events/{event.id}/delete")
    assert r.status_code == 303
    session.expunge_all()
    assert [e.id for e in (await session.scalars(select(Event))).all()] == [theirs.id]
