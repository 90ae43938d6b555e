"""`followup demo`: a full dashboard in seconds, built through the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import issue_token, user_by_email
from app.core.errors import Conflict, Unprocessable
from app.demo import load_demo
from tests.dbstate import snapshot

pytestmark = pytest.mark.anyio
API = "/api/v1"


async def _demo(session: AsyncSession) -> tuple[int, dict[str, str]]:
    """The demo account's number of applications, and headers to act as it."""
    account = await load_demo(session, email="demo@example.com", password="demo-password-1")
    await session.commit()
    user = await user_by_email(session, account.email)
    assert user is not None
    _, token = await issue_token(session, user, kind="personal", name="t", expires_at=None)
    await session.commit()
    return account.applications, {"Authorization": f"Bearer {token}"}


async def test_demo_account_shows_every_kind_of_next_step(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    count, headers = await _demo(session)

    apps = (await client.get(f"{API}/applications", headers=headers)).json()["items"]
    assert count == len(apps) == 6
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


async def test_the_demo_drafts_read_as_a_careful_persons(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Each case of a careful person's advice, as the demo shows it."""
    _, headers = await _demo(session)
    apps = (await client.get(f"{API}/applications", headers=headers)).json()["items"]
    company = {a["id"]: a["company"] for a in apps}
    steps = (await client.get(f"{API}/recommendations", headers=headers)).json()["items"]

    def of(rule: str, where: str) -> list[dict[str, Any]]:
        return [s for s in steps if s["rule"] == rule and company[s["application_id"]] == where]

    # Three interviewers of the onsite, three different emails; only Priya's has the hint.
    thanks = of("send_thank_you_email", "Northwind Traders")
    bodies = [t["draft"]["body"].split("\n\n", 1)[1] for t in thanks]
    assert len(thanks) == len(set(bodies)) == 3
    hinted = [t for t in thanks if "email thread" in t["rationale"]]
    assert [t["title"] for t in hinted] == ["Send a thank-you email to Priya Shah"]
    assert "arranging the interviews" in hinted[0]["draft"]["body"]
    # Promised by Friday: the follow-up waits for Monday 09:00 in London.
    (inquiry,) = of("send_status_inquiry", "Northwind Traders")
    due = datetime.fromisoformat(inquiry["due_at"]).astimezone(ZoneInfo("Europe/London"))
    assert (due.weekday(), due.hour, due.minute) == (0, 9, 0)
    # No recruiter at Globex: Omar, who replied, is greeted by name.
    for rule in ("send_status_inquiry", "reply_graciously"):
        (step,) = of(rule, "Globex Corporation")
        assert step["draft"]["body"].startswith("Hi Omar,\n")
    # Linus has only a phone number: a call script, no subject.
    (call,) = of("brief_reference", "Globex Corporation")
    assert call["channel"] == "phone"
    assert call["draft"]["subject"] is None
    assert "any day now" in call["draft"]["body"]
    # Umbrella asked for references before any interview.
    (brief,) = of("brief_reference", "Umbrella Health")
    assert "I've applied for" in brief["draft"]["body"]
    assert "interviewing" not in brief["draft"]["body"]
