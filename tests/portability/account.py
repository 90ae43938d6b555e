"""A realistic account built through the API, to export and import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.factories import UserWithToken

API = "/api/v1"


async def post(client: httpx.AsyncClient, who: UserWithToken, path: str, body: Any) -> Any:
    r = await client.post(f"{API}{path}", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def build_account(client: httpx.AsyncClient, who: UserWithToken) -> dict[str, Any]:
    """Two applications, people, interviews, events of every kind of link, references,
    a status history, and one dismissed and one snoozed next step. Each field of each kind
    of item is filled in somewhere (test_the_account_fills_in_every_field), so a round trip
    that drops one shows."""
    now = datetime.now(UTC).replace(microsecond=0)
    ref = await post(client, who, "/references", {"name": "Margaret Hamilton", "email": "m@h.io"})
    spare = await post(
        client,
        who,
        "/references",
        {
            "name": "Linus",
            "relationship": "peer",
            "phone": "+41 44 000 00 00",
            "company": "Initrode",
            "title": "Staff Engineer",
            "notes": "prefers a call",
        },
    )
    globex = await post(
        client,
        who,
        "/applications",
        {
            "company": "Globex, Inc.",
            "role_title": "Data Engineer",
            "job_url": "https://globex.example/jobs/1",
            "location": "Zürich",
            "recruiter_name": "Rita Recruiter",
            "recruiter_email": "rita@globex.example",
            "expected_response_by": (now + timedelta(days=5)).date().isoformat(),
            "follow_up_channel": "email Rita",
            "second_round_expected": True,
            "references_requested_at": (now - timedelta(hours=3)).isoformat(),
            "reference_ids": [ref["id"]],
            "external_id": "GX-1",
            "notes": "=SUM(A1) looks like a formula",
        },
    )
    initech = await post(
        client, who, "/applications", {"company": "Initech", "role_title": "TPS Analyst"}
    )
    gid = globex["id"]
    grace = await post(
        client,
        who,
        f"/applications/{gid}/interviewers",
        {"name": "Grace", "title": "CTO", "phone": "+41 44 111 11 11", "notes": "ran the panel"},
    )
    ada = await post(
        client,
        who,
        f"/applications/{gid}/interviewers",
        {
            "name": "Ada",
            "email": "ada@gx.io",
            "linkedin_url": "https://www.linkedin.com/in/ada",
            "is_main_contact": True,
        },
    )
    past = await post(
        client,
        who,
        f"/applications/{gid}/interviews",
        {
            "starts_at": (now - timedelta(days=2)).isoformat(),
            "kind": "onsite",
            "round": 1,
            "interviewer_ids": [grace["id"], ada["id"]],
            "topics": "streaming joins",
            "mutual_interests": "DuckDB",
        },
    )
    await post(
        client,
        who,
        f"/applications/{gid}/interviews",
        {
            "starts_at": (now + timedelta(days=3)).isoformat(),
            "kind": "video",
            "round": 2,
            "notes": "bring the take-home",
        },
    )
    await post(
        client,
        who,
        f"/applications/{gid}/events",
        {
            "type": "thank_you_email",
            "interviewer_id": ada["id"],
            "interview_id": past["id"],
            "channel": "email",
            "occurred_at": (now - timedelta(days=1)).isoformat(),
        },
    )
    await post(
        client,
        who,
        f"/applications/{gid}/events",
        {"type": "reference_heads_up", "reference_id": ref["id"], "notes": "called her"},
    )
    await post(
        client,
        who,
        f"/applications/{initech['id']}/events",
        {"type": "reply_received", "response": "rejection", "channel": "email"},
    )
    changed = await client.patch(
        f"{API}/applications/{initech['id']}", json={"status": "rejected"}, headers=who.headers
    )
    assert changed.status_code == 200, changed.text
    steps = (await client.get(f"{API}/recommendations", headers=who.headers)).json()["items"]
    by_rule = {s["rule"]: s for s in steps}
    dismissed = by_rule["send_handwritten_note"]["id"]
    snoozed = by_rule["send_thank_you_email"]["id"]
    r = await client.post(f"{API}/recommendations/{dismissed}/dismiss", headers=who.headers)
    assert r.status_code == 204, r.text
    r = await client.post(
        f"{API}/recommendations/{snoozed}/snooze",
        json={"until": (now + timedelta(days=1)).isoformat()},
        headers=who.headers,
    )
    assert r.status_code == 204, r.text
    return {"globex": globex, "initech": initech, "reference": ref, "spare": spare}
