"""Once "ask about next steps" is done, the application's page asks for their answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application
from tests.dbstate import snapshot
from tests.factories import create_application, create_event, create_interview
from tests.web.helpers import Browser, assert_html, field_error, flash_of, step_id, text_of

pytestmark = pytest.mark.anyio

QUESTION = "You asked about next steps. What did they say?"


@pytest.fixture
async def asked(web: Browser, session: AsyncSession) -> Application:
    application = await create_application(session, web.user)
    await create_event(session, application, type="next_steps_asked")
    return application


async def test_the_page_asks_only_once_asked_and_until_answered(
    web: Browser, session: AsyncSession, asked: Application
) -> None:
    other = await create_application(session, web.user, company="Globex")
    assert QUESTION not in text_of(assert_html(await web.get(f"/applications/{other.id}"), 200))
    page = text_of(assert_html(await web.get(f"/applications/{asked.id}"), 200))
    assert QUESTION in page
    assert "You'll hear back by Asked, no answer yet" in page

    r = await web.post(
        f"/applications/{asked.id}/answer",
        {
            "expected_response_by": "2026-12-18",
            "follow_up_channel": "email Priya",
            "second_round_expected": "yes",
        },
    )
    assert r.status_code == 303
    page = assert_html(await web.get(r.headers["location"]), 200)
    assert flash_of(page) == "Saved their answer."
    assert QUESTION not in text_of(page)
    await session.refresh(asked)
    assert asked.expected_response_by == date(2026, 12, 18)
    assert asked.follow_up_channel == "email Priya"
    assert asked.second_round_expected is True
    assert asked.version == 2


async def test_a_partial_answer_keeps_the_rest_unknown(
    web: Browser, session: AsyncSession, asked: Application
) -> None:
    r = await web.post(
        f"/applications/{asked.id}/answer",
        {"expected_response_by": "", "follow_up_channel": "", "second_round_expected": "no"},
    )
    assert r.status_code == 303
    await session.refresh(asked)
    assert (asked.expected_response_by, asked.follow_up_channel) == (None, None)
    assert asked.second_round_expected is False


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"expected_response_by": "next week"}, "answer-expected_response_by", "Enter a date."),
        (
            {"expected_response_by": "", "follow_up_channel": "  "},
            "answer-expected_response_by",
            "Fill in at least one of their answers, or leave this for later.",
        ),
    ],
)
async def test_a_bad_answer_is_shown_in_place_and_changes_nothing(
    web: Browser,
    session: AsyncSession,
    asked: Application,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = await snapshot(session)
    r = await web.post(f"/applications/{asked.id}/answer", fields)
    page = assert_html(r, 422)
    assert field_error(page, field) == message
    assert f"You'll hear back by: {message}" in text_of(page)  # the summary names the field
    assert QUESTION in text_of(page)  # the application's own page, the form kept
    assert await snapshot(session) == before


async def test_the_answer_needs_the_csrf_token(
    web: Browser, session: AsyncSession, asked: Application
) -> None:
    before = await snapshot(session)
    r = await web.client.post(
        f"/applications/{asked.id}/answer", data={"follow_up_channel": "email"}
    )
    assert r.status_code == 403
    assert await snapshot(session) == before


async def test_done_on_the_dashboard_says_where_the_answer_goes(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user, status="interviewing")
    # ask_next_steps opens the day before an interview.
    await create_interview(session, application, starts_at=datetime.now(UTC) + timedelta(hours=3))
    rec_id = step_id(assert_html(await web.get("/"), 200), "ask_next_steps")
    r = await web.post("/next-steps/done", {"recommendation_id": rec_id, "next": "/"})
    assert r.status_code == 303
    flash = flash_of(assert_html(await web.get(r.headers["location"]), 200)) or ""
    assert flash.endswith("Their answer goes on the application's page, which now asks for it.")
    page = text_of(assert_html(await web.get(f"/applications/{application.id}"), 200))
    assert QUESTION in page
