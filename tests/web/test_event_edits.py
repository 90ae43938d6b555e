"""Timeline entries edited on their own form, and Done with a when and a note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_application
from tests.web.helpers import Browser, assert_html, field_error, input_value, step_id, text_of

pytestmark = pytest.mark.anyio


async def _note(session: AsyncSession, application: Application, **fields: object) -> Event:
    event = Event(
        owner_id=application.owner_id,
        application_id=application.id,
        type="reply_received",
        occurred_at=datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC),
        **fields,
    )
    session.add(event)
    await session.flush()
    return event


async def test_the_timeline_links_to_an_edit_form_that_saves(
    web: Browser, session: AsyncSession, alice: UserWithToken
) -> None:
    application = await create_application(session, alice.user)
    event = await _note(session, application, response="positive", notes="old")
    detail = assert_html(await web.get(f"/applications/{application.id}"), 200)
    assert f'href="/events/{event.id}/edit"' in detail
    form = assert_html(await web.get(f"/events/{event.id}/edit"), 200)
    assert "Edit this entry" in text_of(form)
    assert 'name="type"' not in form  # the type is fixed, and the page says so
    assert "A “Reply received” entry. Its kind stays;" in text_of(form)
    r = await web.post(
        f"/events/{event.id}/edit",
        {
            "occurred_at": input_value(form, "f-occurred_at"),
            "response": "offer",
            "channel": "phone",
            "notes": "they called",
        },
    )
    assert r.status_code == 303
    await session.refresh(event)
    assert (event.response, event.channel, event.notes) == ("offer", "phone", "they called")
    # "When" untouched keeps the stored microseconds.
    assert event.occurred_at.microsecond == 123456
    assert event.version == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("occurred_at", "2999-01-01T10:00", "future"),
        ("occurred_at", "", "This is required"),
        ("occurred_at", "yesterday", ""),
        ("channel", "pigeon", "Choose one of the options"),
        ("interviewer_id", "00000000-0000-4000-8000-000000000000", "No interviewer"),
    ],
)
async def test_bad_edits_show_inline_errors_and_change_nothing(
    web: Browser,
    session: AsyncSession,
    alice: UserWithToken,
    field: str,
    value: str,
    message: str,
) -> None:
    application = await create_application(session, alice.user)
    event = await _note(session, application, notes="kept")
    before = await snapshot(session)
    r = await web.post(
        f"/events/{event.id}/edit", {"occurred_at": "2026-11-20T10:00", field: value}
    )
    page = assert_html(r, 422)
    assert "field-invalid" in page
    assert message in text_of(page)
    assert await snapshot(session) == before


async def test_done_with_details_records_when_and_note(
    web: Browser, session: AsyncSession, just_interviewed: Application
) -> None:
    dashboard = assert_html(await web.get("/"), 200)
    assert "Done, with details" in dashboard
    rec_id = step_id(dashboard, "send_thank_you_email")
    when = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    r = await web.post(
        "/next-steps/done",
        {"recommendation_id": rec_id, "next": "/", "occurred_at": when, "notes": "hi"},
    )
    assert r.status_code == 303
    (event,) = (await session.scalars(select(Event).where(Event.type == "thank_you_email"))).all()
    assert event.notes == "hi"
    assert event.occurred_at.strftime("%Y-%m-%dT%H:%M") == when


async def test_done_with_a_bad_when_changes_nothing(
    web: Browser, session: AsyncSession, just_interviewed: Application
) -> None:
    rec_id = step_id(assert_html(await web.get("/"), 200), "send_thank_you_email")
    before = await snapshot(session)
    r = await web.post(
        "/next-steps/done",
        {"recommendation_id": rec_id, "next": "/", "occurred_at": "not a time", "notes": "hi"},
    )
    page = assert_html(r, 422)
    # The form again, the problem next to its field, the note kept, the way back kept.
    assert field_error(page, "f-occurred_at") == "Enter a date and time, like 2026-03-01 14:00."
    assert "When: Enter a date and time" in text_of(page)  # the summary names the field
    assert input_value(page, "f-occurred_at") == "not a time"
    assert ">hi</textarea>" in page
    assert 'name="next" value="/"' in page
    assert f'name="recommendation_id" value="{rec_id}"' in page
    assert await snapshot(session) == before
    r = await web.post(
        "/next-steps/done",
        {"recommendation_id": rec_id, "next": "/", "occurred_at": "2099-01-01T10:00"},
    )
    assert field_error(assert_html(r, 422), "f-occurred_at")  # the model's own check
    assert await snapshot(session) == before
    r = await web.post(
        "/next-steps/done",
        {"recommendation_id": rec_id, "next": "/", "occurred_at": "", "notes": "hi"},
    )
    assert r.status_code == 303  # fixed: recorded
