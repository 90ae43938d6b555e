"""What the pages say about references: when the employer asked, and how to brief each one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application
from tests.factories import (
    UserWithToken,
    create_reference,
)
from tests.web.helpers import Browser, assert_html, text_of

pytestmark = pytest.mark.anyio


async def test_the_application_form_says_references_were_asked_for(
    web: Browser, just_interviewed: Application
) -> None:
    page = text_of(assert_html(await web.get(f"/applications/{just_interviewed.id}/edit"), 200))
    assert "They asked for references on" in page
    assert "they may call them any day after" in page
    assert "check references on" not in page


async def test_a_reference_without_email_gets_a_call_script(
    web: Browser,
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: UserWithToken,
    just_interviewed: Application,
) -> None:
    linus = await create_reference(session, alice.user, name="Linus Okafor", phone="+44 20 7946")
    asked = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    r = await client.patch(
        f"/api/v1/applications/{just_interviewed.id}",
        json={"references_requested_at": asked, "reference_ids": [str(linus.id)]},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    page = assert_html(await web.get("/"), 200)
    article = re.search(
        r'<article class="step[^"]*" data-rule="brief_reference".*?</article>', page, re.S
    )
    assert article
    text = text_of(article.group(0))
    assert "What to say on the call" in text
    assert "Draft (phone)" not in text
    assert "Subject" not in text
    assert "Hi Linus, it's Alice Archer." in text
