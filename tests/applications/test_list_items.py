"""The list and the detail write their own JSON (app/applications/listing.py): each must
be exactly what `ApplicationOut` makes of the application (what a PATCH answers), on
both databases and on every filter path."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationOut
from app.applications.service import get_application
from tests.factories import UserWithToken, create_application, create_reference

pytestmark = pytest.mark.anyio
URL = "/api/v1/applications"


async def _detail(
    client: httpx.AsyncClient, session: AsyncSession, user: UserWithToken, item_id: str
) -> dict[str, Any]:
    """GET /applications/{id}, checked against the model's own JSON of it."""
    r = await client.get(f"{URL}/{item_id}", headers=user.headers)
    assert r.status_code == 200, r.text
    application = await get_application(session, user.user.id, uuid.UUID(item_id))
    modelled = json.loads(ApplicationOut.of(application).model_dump_json())
    assert r.json() == modelled
    assert r.headers["etag"] == f'"{modelled["version"]}"'
    return modelled


FULL, BARE = "Ünïcode & Co — “quoted” </script>", "ünï bare"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {FULL, BARE}),
        ({"status": ["applied", "offer"]}, {FULL, BARE}),  # an expanding IN list
        ({"active": "true"}, {FULL, BARE}),
        ({"q": "co"}, {FULL}),
        ({"updated_since": "2000-01-01T00:00:00Z"}, {FULL, BARE}),
    ],
)
async def test_every_list_item_is_the_single_applications_json(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    query: dict[str, str],
    expected: set[str],
) -> None:
    references = [await create_reference(session, alice.user, name=f"Ref {i}") for i in range(3)]
    await create_application(
        session,
        alice.user,
        company=FULL,
        role_title="Line\nbreak\tand \\ backslash",
        job_url="https://example.com/jobs/1?a=b&c=d",
        location="Zürich",
        notes="😀 emoji and \u2028 separator",
        status="offer",
        recruiter_name="Rita",
        recruiter_email="rita@example.com",
        expected_response_by=datetime(2026, 12, 4).date(),
        follow_up_channel="email",
        second_round_expected=True,
        references_requested_at=datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC),
        external_id="ext-1",
        references=references,
    )
    # Nulls everywhere they are allowed, and a time with no fraction of a second.
    await create_application(
        session,
        alice.user,
        company=BARE,
        role_title="Minimal",
        references_requested_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )

    r = await client.get(URL, params=query, headers=alice.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert {item["company"] for item in items} == expected
    assert len(items) == len(expected)
    for item in items:
        assert item == await _detail(client, session, alice, item["id"])
    [full] = [item for item in items if item["company"] == FULL]
    assert full["reference_ids"] == sorted(str(ref.id) for ref in references)


async def test_a_cursor_page_is_the_same_json_too(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    for i in range(3):
        await create_application(session, alice.user, company=f"Co {i}")
    first = (await client.get(URL, params={"limit": 2}, headers=alice.headers)).json()
    assert first["next_cursor"]
    r = await client.get(
        URL, params={"limit": 2, "cursor": first["next_cursor"]}, headers=alice.headers
    )
    [last] = r.json()["items"]
    assert r.json()["next_cursor"] is None
    assert last == await _detail(client, session, alice, last["id"])
    assert last["id"] not in {item["id"] for item in first["items"]}
