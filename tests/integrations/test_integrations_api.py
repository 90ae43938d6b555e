"""/integrations: create (secret once, inbound URL), list, read, delete (docs/webhooks.md)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
URL = "/api/v1/integrations"


async def test_create_shows_the_secret_once_with_the_inbound_url(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    r = await client.post(URL, json={"name": "greenhouse"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["secret"].startswith("whsec_")
    assert created["name"] == "greenhouse"
    assert created["inbound_url"] == f"http://test/api/v1/inbound/{created['id']}"
    assert created["last_received_at"] is None
    assert r.headers["location"].endswith(f"{URL}/{created['id']}")

    one = (await client.get(f"{URL}/{created['id']}", headers=alice.headers)).json()
    listed = (await client.get(URL, headers=alice.headers)).json()
    assert one == {k: v for k, v in created.items() if k != "secret"}
    assert listed == {"items": [one], "next_cursor": None}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "manual"}, "body.name"),
        ({"name": "Manual"}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x" * 101}, "body.name"),
        ({"name": "bad/name"}, "body.name"),
        ({"name": "ok", "secret": "whsec_mine"}, "body.secret"),
        ({}, "body.name"),
    ],
)
async def test_bad_names_are_refused(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    body: dict[str, str],
    loc: str,
) -> None:
    before = await snapshot(session)
    assert_problem(await client.post(URL, json=body, headers=alice.headers), 422, loc=loc)
    assert await snapshot(session) == before


async def test_a_name_is_unique_per_user(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    assert (await client.post(URL, json={"name": "lever"}, headers=alice.headers)).is_success
    before = await snapshot(session)
    r = await client.post(URL, json={"name": "lever"}, headers=alice.headers)
    assert_problem(r, 409)
    assert await snapshot(session) == before
    assert (await client.post(URL, json={"name": "lever"}, headers=bob.headers)).is_success


async def test_delete_and_isolation(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    created = (await client.post(URL, json={"name": "ashby"}, headers=alice.headers)).json()
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"{URL}/{created['id']}", headers=bob.headers)
        assert_problem(r, 404)
    assert (await client.get(URL, headers=bob.headers)).json()["items"] == []
    assert (await client.delete(f"{URL}/{created['id']}", headers=alice.headers)).status_code == 204
    r = await client.get(f"{URL}/{created['id']}", headers=alice.headers)
    assert_problem(r, 404)
    assert_problem(await client.get(URL), 401)
