"""GET /export/applications.csv: one row per application, readable in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_user_with_token
from tests.helpers import assert_problem
from tests.portability.account import API, post

pytestmark = pytest.mark.anyio


async def test_applications_csv_is_a_job_search_log(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    who = await create_user_with_token(
        session, email="jo@example.com", name="Jo", timezone="Europe/Berlin"
    )
    first = await post(
        client,
        who,
        "/applications",
        {"company": "Müller & Söhne", "role_title": "Entwickler", "location": "Köln"},
    )
    await post(
        client,
        who,
        f"/applications/{first['id']}/interviews",
        {"starts_at": "2030-05-04T09:30:00Z", "kind": "onsite", "round": 2},
    )
    await post(client, who, f"/applications/{first['id']}/events", {"type": "thank_you_email"})
    await post(client, who, f"/applications/{first['id']}/events", {"type": "note"})
    for status in ("interviewing", "offer"):
        r = await client.patch(
            f"{API}/applications/{first['id']}", json={"status": status}, headers=who.headers
        )
        assert r.status_code == 200
    await post(
        client,
        who,
        "/applications",
        {"company": '=HYPERLINK("http://evil")', "role_title": "-1+2", "status": "interviewing"},
    )

    r = await client.get(f"{API}/export/applications.csv", headers=who.headers)

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="followup-')
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = r.content.decode("utf-8-sig")
    # Sheets and scripts made from earlier exports may read the columns by position.
    assert text.splitlines()[0] == (
        "Company,Role,Location,Job posting,Applied on,Status,Status since,Interviews,"
        "Follow-ups sent,Last follow-up,Contact,Contact email,Status history"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    muller, evil = rows
    today = datetime.now(UTC).date().isoformat()
    assert muller["Company"] == "Müller & Söhne"
    assert muller["Location"] == "Köln"
    assert muller["Status"] == "offer"
    assert muller["Interviews"] == "2030-05-04 11:30 (onsite, round 2)"  # Berlin time
    assert muller["Follow-ups sent"] == "1"  # a note to self is not a follow-up
    assert muller["Last follow-up"].endswith("(thank-you email)")
    history = muller["Status history"].split("; ")
    assert [h.split(" ", 1)[1] for h in history] == ["applied", "interviewing", "offer"]
    assert len(muller["Applied on"]) == len(today)
    # Cells a spreadsheet would run as formulas are defused.
    assert evil["Company"] == '\'=HYPERLINK("http://evil")'
    assert evil["Role"] == "'-1+2"
    assert evil["Status history"].endswith(" interviewing")


async def test_csv_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"{API}/export/applications.csv"), 401)
