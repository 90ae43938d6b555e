"""References."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import UserWithToken, create_application
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


async def test_reference_crud_and_deleting_unlists_it(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    r = await client.post(
        "/api/v1/references",
        json={
            "name": "Margaret Hamilton",
            "email": "margaret@example.com",
            "phone": "+1 555 0100",
            "relationship": "former manager",
            "company": "NASA",
            "title": "Director",
            "notes": "prefers phone",
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    reference = r.json()
    item = f"/api/v1/references/{reference['id']}"
    assert (await client.get(item, headers=alice.headers)).json() == reference
    patched = await client.patch(
        item, json={"title": "CTO"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert patched.json()["title"] == "CTO"
    assert_problem(
        await client.patch(item, json={"email": "x"}, headers=alice.headers), 422, loc="body.email"
    )
    assert_problem(
        await client.post("/api/v1/references", json={}, headers=alice.headers),
        422,
        loc="body.name",
    )

    application = await create_application(session, alice.user)
    await client.patch(
        f"/api/v1/applications/{application.id}",
        json={"reference_ids": [reference["id"]]},
        headers=alice.headers,
    )
    assert (await client.delete(item, headers=alice.headers)).status_code == 204
    app_now = (
        await client.get(f"/api/v1/applications/{application.id}", headers=alice.headers)
    ).json()
    assert app_now["reference_ids"] == []
    listed = (await client.get("/api/v1/references", headers=alice.headers)).json()
    assert listed == {"items": [], "next_cursor": None}
