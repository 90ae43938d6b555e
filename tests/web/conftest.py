"""Web fixtures: signed-in test clients for alice and bob, a freshly ended interview, and
for the browser tests one Debian Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright import sync_api
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application
from tests.factories import (
    UserWithToken,
    create_application,
    create_interview,
    create_interviewer,
)
from tests.web.helpers import Browser, sign_in
from tests.web.live_server import CHROMIUM_ARGS, require_chromium


@pytest.fixture
async def web(client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken) -> Browser:
    """Alice, signed in to the web client."""
    return await sign_in(client, session, alice.user)


@pytest.fixture
async def just_interviewed(session: AsyncSession, alice: UserWithToken) -> Application:
    """Alice's application whose interview ended an hour ago, its thank-you still to send."""
    application = await create_application(session, alice.user, status="interviewing")
    grace = await create_interviewer(session, application, email="grace@acme.example")
    ended = datetime.now(UTC) - timedelta(hours=1)
    await create_interview(
        session, application, [grace], starts_at=ended - timedelta(hours=1), ends_at=ended
    )
    return application


@pytest.fixture(scope="module")
def playwright() -> Iterator[sync_api.Playwright]:
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def chromium(playwright: sync_api.Playwright) -> Iterator[sync_api.Browser]:
    """Debian's Chromium (tests.web.helpers.Browser is a signed-in test client instead)."""
    browser = playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
