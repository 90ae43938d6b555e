"""Settings → Calendar: the feed link made, shown once, replaced and turned off, and a
one-off download; and the settings sections around it."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CalendarFeed
from tests.dbstate import snapshot
from tests.factories import create_application
from tests.web.helpers import Browser, assert_html, flash_of, input_value, text_of

pytestmark = pytest.mark.anyio

SECTIONS = {
    "/settings": "Profile",
    "/settings/notifications": "Notifications",
    "/settings/calendar": "Calendar",
    "/settings/data": "Your data",
    "/settings/tokens": "Developer",
    "/settings/webhooks": "Developer",
    "/settings/integrations": "Developer",
}


def current_links(page: str) -> list[str]:
    return [text_of(m) for m in re.findall(r'<a [^>]*aria-current="[^"]+"[^>]*>(.*?)</a>', page)]


@pytest.mark.parametrize("path", list(SECTIONS))
async def test_each_settings_page_marks_its_section(web: Browser, path: str) -> None:
    page = assert_html(await web.get(path), 200)
    tabs = re.search(r'<nav class="tabs" aria-label="Settings">(.*?)</nav>', page, re.S)
    assert tabs
    assert re.findall(r">([^<]+)</a>", tabs.group(1)) == [
        "Profile",
        "Notifications",
        "Calendar",
        "Your data",
        "Developer",
    ]
    assert current_links(tabs.group(1)) == [SECTIONS[path]]
    developer = re.search(
        r'<nav class="tabs subtabs" aria-label="Developer">(.*?)</nav>', page, re.S
    )
    if SECTIONS[path] == "Developer":
        assert developer, "the developer pages have their own row of links"
        assert current_links(developer.group(1)) == [
            {"tokens": "API tokens", "webhooks": "Webhooks"}.get(
                path.rsplit("/", 1)[1], "Integrations"
            )
        ]
    else:
        assert developer is None


async def test_feed_link_is_shown_once_and_works(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await create_application(session, web.user, company="Globex")
    page = assert_html(await web.get("/settings/calendar"), 200)
    assert "No feed link yet." in text_of(page)
    r = await web.post("/settings/calendar/feed")
    page = assert_html(r, 200)
    assert r.headers["cache-control"] == "no-store"
    assert "shown only this once" in text_of(page)
    url = input_value(page, "feed-url")
    assert re.fullmatch(r"http://[^/]+/api/v1/calendar/feed/cal_[\w-]+\.ics", url)
    feed = await client.get(url)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    later = assert_html(await web.get("/settings/calendar"), 200)
    assert url not in later
    assert "On since" in text_of(later)
    assert 'href="/settings/calendar/feed/replace"' in later


async def test_a_new_link_replaces_the_old_one(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    old = input_value(assert_html(await web.post("/settings/calendar/feed"), 200), "feed-url")
    confirm = assert_html(await web.get("/settings/calendar/feed/replace"), 200)
    assert "stops working at once" in text_of(confirm)
    assert 'action="/settings/calendar/feed"' in confirm
    new = input_value(assert_html(await web.post("/settings/calendar/feed"), 200), "feed-url")
    assert new != old
    assert (await client.get(old)).status_code == 404
    assert (await client.get(new)).status_code == 200
    assert await session.scalar(select(func.count()).select_from(CalendarFeed)) == 1


async def test_turning_the_feed_off(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    url = input_value(assert_html(await web.post("/settings/calendar/feed"), 200), "feed-url")
    confirm = assert_html(await web.get("/settings/calendar/feed/revoke"), 200)
    assert 'action="/settings/calendar/feed/revoke"' in confirm
    before = await snapshot(session)
    assert_html(await web.client.post("/settings/calendar/feed/revoke"), 403)  # no CSRF token
    assert await snapshot(session) == before
    r = await web.post("/settings/calendar/feed/revoke")
    assert r.status_code == 303
    page = assert_html(await web.get("/settings/calendar"), 200)
    assert flash_of(page) == "The feed link is turned off. It stops working at once."
    assert "No feed link yet." in text_of(page)
    assert (await client.get(url)).status_code == 404


async def test_making_a_link_needs_the_csrf_token(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    assert_html(await web.client.post("/settings/calendar/feed"), 403)
    assert await snapshot(session) == before


async def test_download_once_needs_only_the_session(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await create_application(session, web.user, company="Globex", status="applied")
    r = await web.get("/settings/calendar/followup.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert r.headers["cache-control"] == "private, no-store"
    assert b"BEGIN:VCALENDAR" in r.content
    web.client.cookies.clear()
    r = await web.get("/settings/calendar/followup.ics")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
