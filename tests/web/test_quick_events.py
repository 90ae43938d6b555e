"""Things logged in quick succession keep their order, through the pages and the API alike.

A one-click Done is stored to the microsecond; a reply logged a few seconds later with
"When" left as it was must still come after it, or the step it opens (answering their
noncommittal reply graciously) never appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event
from tests.factories import (
    UserWithToken,
)
from tests.web.helpers import Browser, assert_html, input_value, step_id, text_of

pytestmark = pytest.mark.anyio


async def test_a_reply_logged_right_after_done_comes_after_it(
    web: Browser, session: AsyncSession, just_interviewed: Application
) -> None:
    dashboard = assert_html(await web.get("/"), 200)
    done = await web.post(
        "/next-steps/done",
        {"recommendation_id": step_id(dashboard, "send_thank_you_email"), "next": "/"},
    )
    assert done.status_code == 303
    # The form as the browser shows it, "When" untouched, as one does for what just happened.
    form = assert_html(await web.get(f"/applications/{just_interviewed.id}/events/new"), 200)
    assert "Leave it empty if it just happened" in text_of(form)
    r = await web.post(
        f"/applications/{just_interviewed.id}/events/new",
        {
            "type": "reply_received",
            "response": "noncommittal",
            "channel": "email",
            "occurred_at": input_value(form, "f-occurred_at"),
        },
    )
    assert r.status_code == 303
    thanked, replied = (await session.scalars(select(Event).order_by(Event.occurred_at))).all()
    assert (thanked.type, replied.type) == ("thank_you_email", "reply_received")
    assert thanked.occurred_at < replied.occurred_at
    assert 'data-rule="reply_graciously"' in assert_html(await web.get("/"), 200)


async def test_an_event_posted_without_a_time_keeps_the_microseconds(
    client: httpx.AsyncClient, alice: UserWithToken, just_interviewed: Application
) -> None:
    recs = (await client.get("/api/v1/recommendations", headers=alice.headers)).json()["items"]
    thanks = next(r for r in recs if r["rule"] == "send_thank_you_email")
    r = await client.post(
        f"/api/v1/recommendations/{thanks['id']}/complete", json={}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    done_at = datetime.fromisoformat(r.json()["event"]["occurred_at"])
    r = await client.post(
        f"/api/v1/applications/{just_interviewed.id}/events",
        json={"type": "reply_received", "response": "noncommittal"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    replied_at = datetime.fromisoformat(r.json()["occurred_at"])
    assert done_at < replied_at < done_at + timedelta(minutes=1)
    recs = (await client.get("/api/v1/recommendations", headers=alice.headers)).json()["items"]
    assert "reply_graciously" in {r["rule"] for r in recs}
