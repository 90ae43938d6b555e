"""The Progress page: its figures (pure) and the page (SVG with title, desc and a table)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Event
from app.web.labels import STATUS
from app.web.progress import ApplicationFacts, EventFacts, progress
from tests.factories import create_application
from tests.web.helpers import Browser, assert_html, text_of

UTC_ZONE = ZoneInfo("UTC")
MONDAY = date(2026, 12, 7)
START = datetime(2026, 11, 1, tzinfo=UTC)


def _app(status: str) -> ApplicationFacts:
    return ApplicationFacts(uuid.uuid4(), status, START)


def test_an_empty_account_has_zeros_and_no_rates() -> None:
    p = progress([], [], STATUS, UTC_ZONE, MONDAY)
    assert [b.value for b in p.funnel] == [0, 0, 0, 0]
    assert p.reply_rate is None
    assert p.median_days_to_reply is None
    assert len(p.weeks) == 8
    assert all(b.value == 0 for b in p.weeks)


def test_the_funnel_counts_stages_reached_before_a_rejection() -> None:
    applied, rejected, accepted = _app("applied"), _app("rejected"), _app("accepted")
    events = [EventFacts(rejected.id, "status_changed", START, "interviewing")]
    p = progress([applied, rejected, accepted], events, STATUS, UTC_ZONE, MONDAY)
    assert [(b.label, b.value) for b in p.funnel] == [
        ("Applied", 3),
        ("Interviewing", 2),
        ("Offer", 1),
        ("Accepted", 1),
    ]


def test_reply_rate_median_days_and_weekly_follow_ups() -> None:
    a, b, c = _app("applied"), _app("applied"), _app("applied")
    events = [
        EventFacts(a.id, "reply_received", START + timedelta(days=2), None),
        EventFacts(a.id, "reply_received", START + timedelta(days=9), None),
        EventFacts(b.id, "reply_received", START + timedelta(days=6), None),
        EventFacts(c.id, "thank_you_email", datetime(2026, 12, 8, tzinfo=UTC), None),
        EventFacts(c.id, "status_inquiry", datetime(2026, 12, 1, tzinfo=UTC), None),
        EventFacts(c.id, "note", datetime(2026, 12, 1, tzinfo=UTC), None),
        EventFacts(c.id, "thank_you_email", datetime(2025, 1, 1, tzinfo=UTC), None),
    ]
    p = progress([a, b, c], events, STATUS, UTC_ZONE, MONDAY)
    assert p.reply_rate == 67
    assert p.median_days_to_reply == 4.0
    assert [(w.label, w.value) for w in p.weeks[-2:]] == [("30 Nov", 1), ("7 Dec", 1)]


@pytest.mark.anyio
async def test_the_page_on_an_empty_account(web: Browser) -> None:
    page = assert_html(await web.get("/progress"), 200)
    assert 'href="/progress" aria-current="page"' in page
    assert "Nothing to show yet" in text_of(page)
    assert page.count("<svg") == 3
    assert page.count("<title id=") == 3
    assert page.count("<desc id=") == 3
    assert page.count('<table class="data-table">') == 2


@pytest.mark.anyio
async def test_the_page_shows_the_figures(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user, status="interviewing")
    session.add(
        Event(
            owner_id=web.user.id,
            application_id=application.id,
            type="reply_received",
            occurred_at=datetime.now(UTC),
        )
    )
    await session.commit()
    text = text_of(assert_html(await web.get("/progress"), 200))
    assert "100 %" in text
    assert "1 of 1 application had a reply" in text
    assert "Interviewing: 1" in text  # the desc, for screen readers
