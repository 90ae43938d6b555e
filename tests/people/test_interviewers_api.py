"""Interviewers."""

from __future__ import annotations

import httpx
import pytest

from app.models import Application, Interviewer
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


async def test_interviewer_crud(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    url = f"/api/v1/applications/{application.id}/interviewers"
    r = await client.post(
        url,
        json={
            "name": "Grace Hopper",
            "title": "VP Engineering",
            "email": "grace@acme.example",
            "linkedin_url": "https://www.linkedin.com/in/grace",
            "phone": "+49 30 1234567",
            "is_main_contact": True,
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    person = r.json()
    assert person["is_main_contact"] is True
    item = f"/api/v1/interviewers/{person['id']}"
    assert (await client.get(item, headers=alice.headers)).json() == person
    r = await client.patch(
        item, json={"title": None, "email": "g@acme.example"}, headers=alice.headers
    )
    assert r.json()["title"] is None
    assert r.json()["email"] == "g@acme.example"
    assert_problem(
        await client.patch(item, json={"email": "nope"}, headers=alice.headers),
        422,
        loc="body.email",
    )
    assert_problem(
        await client.patch(item, json={"linkedin_url": "linkedin"}, headers=alice.headers),
        422,
        loc="body.linkedin_url",
    )
    assert_problem(await client.patch(item, json={"name": None}, headers=alice.headers), 422)
    assert_problem(
        await client.post(url, json={"title": "x"}, headers=alice.headers), 422, loc="body.name"
    )
    listed = (await client.get(url, headers=alice.headers)).json()
    assert [p["id"] for p in listed["items"]] == [person["id"]]
    assert (await client.delete(item, headers=alice.headers)).status_code == 204
    assert_problem(await client.get(item, headers=alice.headers), 404)


async def test_deleting_an_interviewer_keeps_the_history(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    application: Application,
    interviewer: Interviewer,
) -> None:
    event = await client.post(
        f"/api/v1/applications/{application.id}/events",
        json={"type": "thank_you_email", "interviewer_id": str(interviewer.id), "channel": "email"},
        headers=alice.headers,
    )
    assert event.status_code == 201
    await client.delete(f"/api/v1/interviewers/{interviewer.id}", headers=alice.headers)
    kept = (await client.get(f"/api/v1/events/{event.json()['id']}", headers=alice.headers)).json()
    assert kept["type"] == "thank_you_email"
    assert kept["interviewer_id"] is None
