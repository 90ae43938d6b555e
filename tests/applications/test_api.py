"""Applications: CRUD, filters, pagination, status events, concurrency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event, Interview, Interviewer
from tests.dbstate import snapshot
from tests.factories import (
    UserWithToken,
    create_application,
    create_event,
    create_reference,
)
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
URL = "/api/v1/applications"


async def test_create_sets_defaults_and_every_field_round_trips(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    reference = await create_reference(session, alice.user)
    payload = {
        "company": "Acme Corp",
        "role_title": "Backend Engineer",
        "job_url": "https://acme.example/jobs/42",
        "location": "Berlin",
        "notes": "Met them at PyCon",
        "recruiter_name": "Rita Recruiter",
        "recruiter_email": "rita@acme.example",
        "expected_response_by": "2026-12-04",
        "follow_up_channel": "email Rita",
        "second_round_expected": True,
        "references_requested_at": "2026-11-20T10:00:00+01:00",
        "reference_ids": [str(reference.id)],
        "external_id": "req-42",
    }
    r = await client.post(URL, json=payload, headers=alice.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    for field, value in payload.items():
        if field != "references_requested_at":
            assert body[field] == value, field
    assert datetime.fromisoformat(body["references_requested_at"]) == datetime(
        2026, 11, 20, 9, tzinfo=UTC
    )
    assert body["status"] == "applied"
    assert body["source"] == "manual"
    assert body["version"] == 1
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"].endswith(f"/api/v1/applications/{body['id']}")
    # A status given at creation records no status_changed event.
    events = (await session.scalars(select(Event))).all()
    assert events == []


async def test_status_change_records_an_event_and_bumps_version(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    created = (
        await client.post(
            URL,
            json={"company": "A", "role_title": "B", "status": "interviewing"},
            headers=alice.headers,
        )
    ).json()
    r = await client.patch(
        f"{URL}/{created['id']}", json={"status": "offer"}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "offer"
    assert r.json()["version"] == 2
    assert r.headers["etag"] == '"2"'
    events = (await client.get(f"{URL}/{created['id']}/events", headers=alice.headers)).json()
    [changed] = events["items"]
    assert changed["type"] == "status_changed"
    assert (changed["from_status"], changed["to_status"]) == ("interviewing", "offer")
    # Setting the same status again records nothing new.
    await client.patch(f"{URL}/{created['id']}", json={"status": "offer"}, headers=alice.headers)
    again = (await client.get(f"{URL}/{created['id']}/events", headers=alice.headers)).json()
    assert len(again["items"]) == 1


async def test_patch_is_partial_and_null_clears_optional_fields(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    created = (
        await client.post(
            URL,
            json={"company": "A", "role_title": "B", "location": "Paris"},
            headers=alice.headers,
        )
    ).json()
    r = await client.patch(f"{URL}/{created['id']}", json={"location": None}, headers=alice.headers)
    assert r.json()["location"] is None
    assert r.json()["company"] == "A"
    assert_problem(
        await client.patch(f"{URL}/{created['id']}", json={"company": None}, headers=alice.headers),
        422,
    )


async def test_reference_ids_change_bumps_the_version(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    reference = await create_reference(session, alice.user)
    created = (
        await client.post(URL, json={"company": "A", "role_title": "B"}, headers=alice.headers)
    ).json()
    r = await client.patch(
        f"{URL}/{created['id']}", json={"reference_ids": [str(reference.id)]}, headers=alice.headers
    )
    assert r.json()["reference_ids"] == [str(reference.id)]
    assert r.json()["version"] == 2


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"role_title": "B"}, "body.company"),
        ({"company": "A", "role_title": "B", "status": "ghosted"}, "body.status"),
        ({"company": "A", "role_title": "B", "job_url": "not a url"}, "body.job_url"),
        ({"company": "A", "role_title": "B", "job_url": "ftp://x.example/a"}, "body.job_url"),
        ({"company": "A", "role_title": "B", "recruiter_email": "rita@"}, "body.recruiter_email"),
        (
            {"company": "A", "role_title": "B", "expected_response_by": "soon"},
            "body.expected_response_by",
        ),
        (
            {"company": "A", "role_title": "B", "references_requested_at": "2026-11-20T10:00:00"},
            "body.references_requested_at",
        ),
        ({"company": "A" * 201, "role_title": "B"}, "body.company"),
        ({"company": "A", "role_title": "B", "owner_id": str(uuid.uuid4())}, "body.owner_id"),
        ({"company": "A", "role_title": "B", "version": 7}, "body.version"),
        (
            {"company": "A", "role_title": "B", "created_at": "2026-01-01T00:00:00Z"},
            "body.created_at",
        ),
        ({"company": "A", "role_title": "B", "source": "greenhouse"}, "body.source"),
        ({"company": "A", "role_title": "B", "colour": "blue"}, "body.colour"),
        ({"company": "A", "role_title": "B", "reference_ids": ["nope"]}, "body.reference_ids"),
        (
            {"company": "A", "role_title": "B", "expected_response_by": "9999-12-31"},
            "body.expected_response_by",
        ),
    ],
    ids=[
        "missing_company",
        "unknown_status",
        "malformed_url",
        "non_http_url",
        "bad_email",
        "bad_date",
        "naive_datetime",
        "too_long",
        "read_only_owner_id",
        "read_only_version",
        "read_only_created_at",
        "read_only_source",
        "unknown_field",
        "malformed_reference_id",
        "date_out_of_range",
    ],
)
async def test_bad_input_is_422_and_changes_nothing(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    payload: dict[str, object],
    loc: str,
) -> None:
    before = await snapshot(session)
    assert_problem(await client.post(URL, json=payload, headers=alice.headers), 422, loc=loc)
    assert await snapshot(session) == before


async def test_read_only_field_message_says_so(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    r = await client.post(
        URL,
        json={"company": "A", "role_title": "B", "id": str(uuid.uuid4())},
        headers=alice.headers,
    )
    body = assert_problem(r, 422)
    assert body["errors"][0]["type"] == "read_only"
    assert "read-only" in body["errors"][0]["msg"]


async def test_foreign_reference_id_is_422_like_a_random_one(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken, session: AsyncSession
) -> None:
    bobs = await create_reference(session, bob.user)
    before = await snapshot(session)
    for ref_id in (bobs.id, uuid.uuid4()):
        r = await client.post(
            URL,
            json={"company": "A", "role_title": "B", "reference_ids": [str(ref_id)]},
            headers=alice.headers,
        )
        assert_problem(r, 422, loc="body.reference_ids")
    assert await snapshot(session) == before


async def test_duplicate_external_id_is_409(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    payload = {"company": "A", "role_title": "B", "external_id": "req-1"}
    assert (await client.post(URL, json=payload, headers=alice.headers)).status_code == 201
    assert_problem(await client.post(URL, json=payload, headers=alice.headers), 409)


async def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    created = (
        await client.post(URL, json={"company": "A", "role_title": "B"}, headers=alice.headers)
    ).json()
    item = f"{URL}/{created['id']}"
    ok = await client.patch(item, json={"notes": "x"}, headers={**alice.headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    before = await snapshot(session)
    stale = await client.patch(
        item, json={"notes": "y"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    assert_problem(await client.delete(item, headers={**alice.headers, "If-Match": '"1"'}), 412)
    assert await snapshot(session) == before
    current = (await client.get(item, headers=alice.headers)).headers["etag"]
    assert (
        await client.delete(item, headers={**alice.headers, "If-Match": current})
    ).status_code == 204


async def test_delete_cascades_to_interviews_interviewers_and_events(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    application: Application,
    interviewer: Interviewer,
    interview: Interview,
) -> None:
    await create_event(session, application, type="thank_you_email", interviewer_id=interviewer.id)
    reference = await create_reference(session, alice.user)
    r = await client.delete(f"{URL}/{application.id}", headers=alice.headers)
    assert r.status_code == 204
    for path in (
        f"{URL}/{application.id}",
        f"/api/v1/interviews/{interview.id}",
        f"/api/v1/interviewers/{interviewer.id}",
    ):
        assert_problem(await client.get(path, headers=alice.headers), 404)
    state = await snapshot(session)
    for table in ("applications", "interviews", "interviewers", "events", "interview_interviewers"):
        assert state[table] == [], table
    # References are the user's own: they stay.
    assert (
        await client.get(f"/api/v1/references/{reference.id}", headers=alice.headers)
    ).status_code == 200


async def _make(
    client: httpx.AsyncClient, user: UserWithToken, **fields: object
) -> dict[str, object]:
    body = {"company": "Acme", "role_title": "Engineer", **fields}
    r = await client.post(URL, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    result: dict[str, object] = r.json()
    return result


async def test_filters_status_active_q_and_updated_since(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    applied = await _make(client, alice, company="Globex", role_title="Data Engineer")
    offer = await _make(client, alice, company="Initech", status="offer")
    closed = await _make(client, alice, company="Umbrella 100%", status="closed")

    async def ids(params: object) -> set[object]:
        r = await client.get(URL, params=params, headers=alice.headers)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        return {item["id"] for item in r.json()["items"]}

    assert await ids({"status": ["offer", "closed"]}) == {offer["id"], closed["id"]}
    assert await ids({"active": "true"}) == {applied["id"], offer["id"]}
    assert await ids({"active": "false"}) == {closed["id"]}
    assert await ids({"q": "globex"}) == {applied["id"]}
    assert await ids({"q": "data eng"}) == {applied["id"]}
    assert await ids({"q": "100%"}) == {closed["id"]}
    assert await ids({"q": "%"}) == {closed["id"]}
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    assert await ids({"updated_since": later}) == set()
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert len(await ids({"updated_since": earlier})) == 3
    assert_problem(
        await client.get(
            URL, params={"updated_since": "2026-01-01T00:00:00"}, headers=alice.headers
        ),
        422,
    )
    assert_problem(await client.get(URL, params={"status": "ghosted"}, headers=alice.headers), 422)


async def test_pagination_walks_every_item_once_newest_first(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    made = []
    for i in range(7):
        # Two pairs share a created_at, so the id tie-break is exercised.
        app = await create_application(
            session, alice.user, company=f"C{i}", created_at=base + timedelta(minutes=i // 2)
        )
        made.append(app)
    seen: list[str] = []
    url: str | None = f"{URL}?limit=3"
    pages = 0
    while url is not None:
        r = await client.get(url, headers=alice.headers)
        assert r.status_code == 200
        page = r.json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if page["next_cursor"]:
            assert r.headers["link"].endswith('>; rel="next"')
            url = r.headers["link"][1 : r.headers["link"].index(">")]
            assert "limit=3" in url
        else:
            assert "link" not in r.headers
            url = None
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    expected = sorted(made, key=lambda a: (a.created_at, str(a.id)), reverse=True)
    assert seen == [str(a.id) for a in expected]


@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJ4IjoxfQ", "W10", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwgIngiXQ"]
)
async def test_malformed_cursor_is_400(
    client: httpx.AsyncClient, alice: UserWithToken, cursor: str
) -> None:
    assert_problem(await client.get(URL, params={"cursor": cursor}, headers=alice.headers), 400)


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_limit_out_of_range_is_422(
    client: httpx.AsyncClient, alice: UserWithToken, limit: int
) -> None:
    assert_problem(await client.get(URL, params={"limit": limit}, headers=alice.headers), 422)


async def test_list_shows_only_own_applications(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    await _make(client, bob)
    mine = await _make(client, alice)
    items = (await client.get(URL, headers=alice.headers)).json()["items"]
    assert [item["id"] for item in items] == [mine["id"]]


async def test_taken_external_id_with_a_status_change_is_409_and_changes_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    await client.post(
        URL, json={"company": "A", "role_title": "B", "external_id": "taken"}, headers=alice.headers
    )
    other = (
        await client.post(URL, json={"company": "C", "role_title": "D"}, headers=alice.headers)
    ).json()
    before = await snapshot(session)
    r = await client.patch(
        f"{URL}/{other['id']}",
        json={"external_id": "taken", "status": "offer"},
        headers=alice.headers,
    )
    assert_problem(r, 409)
    assert await snapshot(session) == before
