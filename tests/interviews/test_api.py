"""Interviews; interviewers are in tests/people/."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Interviewer
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_application, create_interviewer
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio


async def test_interview_defaults_to_one_hour_and_links_people(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    application: Application,
    interviewer: Interviewer,
) -> None:
    r = await client.post(
        f"/api/v1/applications/{application.id}/interviews",
        json={
            "starts_at": "2026-11-20T14:00:00+01:00",
            "kind": "video",
            "round": 1,
            "interviewer_ids": [str(interviewer.id)],
            "topics": "the billing pipeline",
            "mutual_interests": "Rust in production",
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert datetime.fromisoformat(body["starts_at"]) == datetime(2026, 11, 20, 13, tzinfo=UTC)
    assert datetime.fromisoformat(body["ends_at"]) == datetime(2026, 11, 20, 14, tzinfo=UTC)
    assert body["interviewer_ids"] == [str(interviewer.id)]
    assert body["application_id"] == str(application.id)
    assert r.headers["location"].endswith(f"/api/v1/interviews/{body['id']}")

    listed = (
        await client.get(f"/api/v1/applications/{application.id}/interviews", headers=alice.headers)
    ).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]

    patched = await client.patch(
        f"/api/v1/interviews/{body['id']}",
        json={"interviewer_ids": [], "kind": "onsite"},
        headers={**alice.headers, "If-Match": r.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["interviewer_ids"] == []
    assert patched.json()["version"] == 2


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({}, "body.starts_at"),
        ({"starts_at": "2026-11-20T14:00:00"}, "body.starts_at"),
        ({"starts_at": "2026-11-20T14:00:00Z", "ends_at": "2026-11-20T13:00:00Z"}, "body"),
        ({"starts_at": "2026-11-20T14:00:00Z", "ends_at": "2026-11-20T14:00:00Z"}, "body"),
        ({"starts_at": "2026-11-20T14:00:00Z", "kind": "coffee"}, "body.kind"),
        ({"starts_at": "2026-11-20T14:00:00Z", "round": 0}, "body.round"),
        ({"starts_at": "2026-11-20T14:00:00Z", "version": 3}, "body.version"),
        # The engine works a day before an interview: year 1 would overflow there.
        ({"starts_at": "0001-01-01T00:00:00Z"}, "body.starts_at"),
        ({"starts_at": "9999-12-31T22:00:00Z"}, "body.starts_at"),
    ],
    ids=[
        "missing_start",
        "naive",
        "ends_before_start",
        "zero_length",
        "bad_kind",
        "round_zero",
        "read_only",
        "year_1",
        "year_9999",
    ],
)
async def test_bad_interview_is_422_and_changes_nothing(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    payload: dict[str, object],
    loc: str,
) -> None:
    before = await snapshot(session)
    r = await client.post(
        f"/api/v1/applications/{application.id}/interviews", json=payload, headers=alice.headers
    )
    assert_problem(r, 422, loc=loc)
    assert await snapshot(session) == before


async def test_interviewer_of_another_application_is_422(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    mine = await create_application(session, alice.user)
    other = await create_application(session, alice.user, company="Other")
    bobs = await create_application(session, bob.user)
    for person in (
        await create_interviewer(session, other),
        await create_interviewer(session, bobs),
    ):
        before = await snapshot(session)
        r = await client.post(
            f"/api/v1/applications/{mine.id}/interviews",
            json={"starts_at": "2026-11-20T14:00:00Z", "interviewer_ids": [str(person.id)]},
            headers=alice.headers,
        )
        assert_problem(r, 422, loc="body.interviewer_ids")
        assert await snapshot(session) == before
    r = await client.post(
        f"/api/v1/applications/{mine.id}/interviews",
        json={"starts_at": "2026-11-20T14:00:00Z", "interviewer_ids": [str(uuid.uuid4())]},
        headers=alice.headers,
    )
    assert_problem(r, 422, loc="body.interviewer_ids")


async def test_patch_that_moves_the_start_past_the_end_is_422(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, application: Application
) -> None:
    created = (
        await client.post(
            f"/api/v1/applications/{application.id}/interviews",
            json={"starts_at": "2026-11-20T14:00:00Z"},
            headers=alice.headers,
        )
    ).json()
    before = await snapshot(session)
    r = await client.patch(
        f"/api/v1/interviews/{created['id']}",
        json={"starts_at": "2026-11-20T16:00:00Z"},
        headers=alice.headers,
    )
    assert_problem(r, 422, loc="body.starts_at")
    assert await snapshot(session) == before
    moved = await client.patch(
        f"/api/v1/interviews/{created['id']}",
        json={"starts_at": "2026-11-20T16:00:00Z", "ends_at": "2026-11-20T17:30:00Z"},
        headers=alice.headers,
    )
    assert moved.status_code == 200


async def test_interviews_list_latest_first(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    url = f"/api/v1/applications/{application.id}/interviews"
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    ids = []
    for days in (0, 7, 3):
        r = await client.post(
            url,
            json={"starts_at": (start + timedelta(days=days)).isoformat()},
            headers=alice.headers,
        )
        ids.append(r.json()["id"])
    listed = [i["id"] for i in (await client.get(url, headers=alice.headers)).json()["items"]]
    assert listed == [ids[1], ids[2], ids[0]]
