"""`followup demo`: a full dashboard in seconds, built through the services."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import issue_token, user_by_email
from app.core.errors import Conflict, Unprocessable
from app.demo import load_demo
from tests.dbstate import snapshot

pytestmark = pytest.mark.anyio
API = "/api/v1"


async def test_demo_account_shows_every_kind_of_next_step(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    account = await load_demo(session, email="demo@example.com", password="demo-password-1")
    await session.commit()
    user = await user_by_email(session, account.email)
    assert user is not None
    _, token = await issue_token(session, user, kind="personal", name="t", expires_at=None)
    await session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    apps = (await client.get(f"{API}/applications", headers=headers)).json()["items"]
    assert account.applications == len(apps) == 6
    assert {a["status"] for a in apps} == {"applied", "interviewing", "rejected"}
    steps = (await client.get(f"{API}/recommendations", headers=headers)).json()["items"]
    rules = {s["rule"] for s in steps}
    assert {
        "ask_next_steps",  # the interview tomorrow
        "send_thank_you_email",  # yesterday's onsite
        "get_contact_info",  # Sam, without an email
        "brief_reference",  # references requested
        "send_status_inquiry",  # the second one, after an unanswered inquiry
        "reply_graciously",  # the noncommittal reply
    } <= rules
    assert any(s["overdue"] for s in steps)
    assert any(not s["overdue"] for s in steps)
    events = []
    for app in apps:
        r = await client.get(f"{API}/applications/{app['id']}/events", headers=headers)
        events += r.json()["items"]
    kinds = {e["type"] for e in events}
    assert {"thank_you_email", "status_inquiry", "reply_received", "status_changed"} <= kinds
    assert any(e["response"] == "noncommittal" for e in events)
    people = []
    for app in apps:
        r = await client.get(f"{API}/applications/{app['id']}/interviewers", headers=headers)
        people += r.json()["items"]
    assert any(p["title"] is None for p in people)
    assert any(p["title"] for p in people)


async def test_demo_refuses_an_existing_account_and_changes_nothing(
    session: AsyncSession,
) -> None:
    await load_demo(session, email="demo@example.com")
    await session.commit()
    before = await snapshot(session)
    with pytest.raises(Conflict, match="already exists"):
        await load_demo(session, email="DEMO@example.com")
    assert await snapshot(session) == before


async def test_demo_refuses_a_short_password(session: AsyncSession) -> None:
    with pytest.raises(Unprocessable, match="password"):
        await load_demo(session, email="demo2@example.com", password="short")
