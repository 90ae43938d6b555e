"""The dashboard of next steps: grouping, drafts, and one-click done / snooze / dismiss."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event, RecommendationState
from app.web.next_steps import SHOWN_PER_APPLICATION, SHOWN_PER_GROUP
from tests.dbstate import snapshot
from tests.factories import create_application, create_interview, create_interviewer
from tests.web.helpers import Browser, assert_html, flash_of, text_of

pytestmark = pytest.mark.anyio


def _steps(page: str) -> dict[str, str]:
    """Each step's title -> its whole article's HTML."""
    articles = re.findall(r"<article class=\"step.*?</article>", page, re.S)
    return {
        text_of(re.search(r'class="step-title"[^>]*>(.*?)</h[34]>', a, re.S).group(1)): a  # type: ignore[union-attr]
        for a in articles
    }


def _group(page: str, key: str) -> str:
    """The HTML of one urgency group (overdue, today, upcoming), up to the next."""
    rest = page.split(f'id="group-{key}"')[1]
    return rest.split('<section class="step-group')[0].split("</main>")[0]


def _rec_id(article: str) -> str:
    found = re.search(r'name="recommendation_id" value="([^"]+)"', article)
    assert found
    return found.group(1)


@pytest.fixture
async def application(web: Browser, session: AsyncSession) -> Application:
    web.user.timezone = "Europe/Berlin"
    await session.commit()
    application = await create_application(session, web.user, status="interviewing")
    grace = await create_interviewer(session, application, email="grace@acme.example")
    now = datetime.now(UTC)
    await create_interview(session, application, [grace], starts_at=now - timedelta(hours=2))
    return application


async def test_an_empty_dashboard_says_what_to_do(web: Browser) -> None:
    page = assert_html(await web.get("/"), 200)
    assert "Nothing to do right now" in page
    assert 'href="/applications/new"' in page


async def test_next_steps_show_who_why_and_a_copyable_draft(
    web: Browser, application: Application
) -> None:
    page = assert_html(await web.get("/"), 200)
    steps = _steps(page)
    thank_you = next(a for t, a in steps.items() if "thank-you" in t and "Grace Hopper" in t)
    assert 'data-rule="send_thank_you_email"' in thank_you
    assert "For Grace Hopper (Engineering Manager)" in text_of(thank_you)
    assert "Why:" in thank_you
    # The application is named above its steps (once in each group), not in each.
    heading = f'<a href="/applications/{application.id}">Acme Corp <span class="subtitle">'
    assert page.index(heading) < page.index(thank_you)
    assert heading not in thank_you
    assert re.search(r"<textarea [^>]*readonly>[^<]*Grace", thank_you)  # selectable without JS
    assert 'data-copy="' in thank_you  # the Copy button (shown by the script)
    assert "mailto:grace@acme.example?subject=" in thank_you
    assert 'action="/next-steps/done"' in thank_you
    assert 'action="/next-steps/snooze"' in thank_you
    assert 'action="/next-steps/dismiss"' in thank_you
    # Done, Done with details, two snoozes and dismiss: each form carries its token.
    assert thank_you.count('name="csrf_token"') == 5


async def test_overdue_steps_say_so_in_words(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user, status="interviewing")
    grace = await create_interviewer(session, application, email="grace@acme.example")
    long_ago = datetime.now(UTC) - timedelta(days=3)
    await create_interview(session, application, [grace], starts_at=long_ago)
    page = assert_html(await web.get("/"), 200)
    overdue = page.split('id="group-overdue"')[1]
    assert "Overdue Was due" in text_of(overdue)
    assert '<span class="tag tag-overdue">Overdue</span>' in overdue


async def test_manual_steps_show_a_hint_instead_of_done(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user, status="interviewing")
    await create_interview(session, application)  # ended, nobody recorded
    steps = _steps(assert_html(await web.get("/"), 200))
    record = next(a for a in steps.values() if 'data-rule="record_interviewers"' in a)
    assert "To finish this:" in record
    assert 'action="/next-steps/done"' not in record


async def test_done_records_the_event_and_the_step_goes(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    steps = _steps((await web.get("/")).text)
    title, article = next((t, a) for t, a in steps.items() if "send_thank_you_email" in a)
    r = await web.post("/next-steps/done", {"recommendation_id": _rec_id(article), "next": "/"})
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    event = await session.scalar(select(Event).where(Event.type == "thank_you_email"))
    assert event is not None
    assert event.application_id == application.id
    page = assert_html(await web.get("/"), 200)
    assert title not in _steps(page)
    assert f"Done: “{title}”" in (flash_of(page) or "")
    timeline = text_of((await web.get(f"/applications/{application.id}")).text)
    assert "Thank-you email · Grace Hopper" in timeline


async def test_done_from_the_application_page_goes_back_there(
    web: Browser, application: Application
) -> None:
    page = (await web.get(f"/applications/{application.id}")).text
    article = next(a for a in _steps(page).values() if "send_thank_you_email" in a)
    assert f'name="next" value="/applications/{application.id}"' in article
    r = await web.post(
        "/next-steps/done",
        {"recommendation_id": _rec_id(article), "next": f"/applications/{application.id}"},
    )
    assert r.headers["location"] == f"/applications/{application.id}"


async def test_snooze_until_tomorrow_morning_local_time(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    steps = _steps((await web.get("/")).text)
    title, article = next(iter(steps.items()))
    r = await web.post(
        "/next-steps/snooze", {"recommendation_id": _rec_id(article), "until": "tomorrow"}
    )
    assert r.status_code == 303
    state = await session.scalar(select(RecommendationState))
    assert state is not None
    assert state.snoozed_until is not None
    local = state.snoozed_until.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (9, 0)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    assert local.date() == today + timedelta(days=1)
    page = (await web.get("/")).text
    assert title not in _steps(page)
    assert f"Snoozed “{title}” until" in (flash_of(page) or "")


async def test_snooze_a_week(web: Browser, session: AsyncSession, application: Application) -> None:
    article = next(iter(_steps((await web.get("/")).text).values()))
    await web.post("/next-steps/snooze", {"recommendation_id": _rec_id(article), "until": "week"})
    state = await session.scalar(select(RecommendationState))
    assert state is not None
    assert state.snoozed_until is not None
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    assert state.snoozed_until.astimezone(ZoneInfo("Europe/Berlin")).date() == today + timedelta(
        days=7
    )


async def test_dismiss_hides_it_for_good(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    title, article = next(iter(_steps((await web.get("/")).text).items()))
    r = await web.post("/next-steps/dismiss", {"recommendation_id": _rec_id(article)})
    assert r.status_code == 303
    state = await session.scalar(select(RecommendationState))
    assert state is not None
    assert state.dismissed_at is not None
    assert title not in _steps((await web.get("/")).text)


@pytest.mark.parametrize("action", ["done", "snooze", "dismiss"])
async def test_actions_need_the_csrf_token(
    web: Browser, session: AsyncSession, application: Application, action: str
) -> None:
    article = next(iter(_steps((await web.get("/")).text).values()))
    before = await snapshot(session)
    r = await web.client.post(
        f"/next-steps/{action}", data={"recommendation_id": _rec_id(article), "csrf_token": "x"}
    )
    page = assert_html(r, 403)
    assert "nothing was changed" in text_of(page)
    assert await snapshot(session) == before


async def test_an_unknown_step_changes_nothing_and_says_why(
    web: Browser, session: AsyncSession, application: Application
) -> None:
    before = await snapshot(session)
    r = await web.post("/next-steps/done", {"recommendation_id": "no-such-step", "next": "/"})
    assert r.status_code == 303
    assert await snapshot(session) == before
    assert "no longer open" in (flash_of((await web.get("/")).text) or "")


async def test_return_addresses_stay_on_the_site(web: Browser, application: Application) -> None:
    r = await web.post(
        "/next-steps/dismiss", {"recommendation_id": "x", "next": "https://evil.example/"}
    )
    assert r.headers["location"] == "/"


async def test_a_long_group_shows_its_first_steps_and_links_to_all_of_them(
    web: Browser, session: AsyncSession
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=3)
    for i in range(SHOWN_PER_GROUP + 5):  # one overdue thank-you each
        application = await create_application(session, web.user, company=f"Co {i}")
        person = await create_interviewer(session, application, email=f"p{i}@example.com")
        await create_interview(session, application, [person], starts_at=long_ago)
    page = assert_html(await web.get("/"), 200)
    overdue = _group(page, "overdue")
    total = text_of(overdue).split("(")[1].split(")")[0]
    assert int(total) > SHOWN_PER_GROUP
    assert overdue.count("<article") == SHOWN_PER_GROUP
    assert 'href="/?show=overdue#group-overdue"' in overdue
    assert f"Show all {total} overdue steps" in text_of(overdue)

    everything = assert_html(await web.get("/?show=overdue"), 200)
    overdue = _group(everything, "overdue")
    assert overdue.count("<article") == int(total)
    assert "Show all" not in overdue
    # Done, snooze and dismiss come back to the whole list.
    assert 'name="next" value="/?show=overdue"' in overdue


async def test_many_steps_of_one_application_fold_beyond_the_first_few(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user)
    people = [
        await create_interviewer(session, application, name=name, email=f"{name}@acme.example")
        for name in ("Ann", "Bob", "Cat")
    ]
    await create_interview(session, application, people)
    other = await create_application(session, web.user, company="Globex")
    await create_interview(session, other, [await create_interviewer(session, other)])

    page = assert_html(await web.get("/"), 200)
    upcoming = _group(page, "upcoming")  # the thank-yous, notes and the inquiry
    acme = upcoming.split(f'href="/applications/{application.id}"')[1].split('class="app-steps"')[0]
    shown, folded = acme.split('<details class="more-steps">')
    assert shown.count("<article") == SHOWN_PER_APPLICATION
    hidden = folded.count("<article")
    assert hidden >= 3  # a thank-you each, and more
    assert f"Show {hidden} more for Acme Corp" in text_of(folded)
    assert "Globex" in text_of(page)  # still in view, not buried below Acme's

    detail = assert_html(await web.get(f"/applications/{application.id}"), 200)
    steps = detail.split('id="h-steps"')[1].split('id="h-interviews"')[0]
    shown, folded = steps.split('<details class="more-steps">')
    assert shown.count("<article") == 3
    assert f"Show {folded.count('<article')} more" in text_of(folded)


async def test_a_draft_box_is_tall_enough_for_the_whole_draft(
    web: Browser, session: AsyncSession
) -> None:
    application = await create_application(session, web.user)
    long_topics = "the migration of the billing pipeline to event sourcing " * 6
    person = await create_interviewer(session, application, email="grace@acme.example")
    await create_interview(session, application, [person], topics=long_topics)
    page = assert_html(await web.get("/"), 200)
    boxes = re.findall(r'<textarea [^>]*rows="(\d+)" readonly>(.*?)</textarea>', page, re.S)
    assert boxes
    for rows, body in boxes:
        text = html.unescape(body)
        # A row per line, and room for every character at a phone's 45 a row.
        assert int(rows) > text.count("\n")
        assert int(rows) * 45 >= len(text)
    assert max(int(rows) for rows, _ in boxes) > 14  # taller than the old fixed cap
