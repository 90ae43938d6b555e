"""HTTP as clients expect it: Allow on 405, bare 204s, 415 for non-JSON bodies, one 422
type with messages for people, and timestamps answered in UTC."""

from __future__ import annotations

import httpx
import pytest

from app.models import Application
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
API = "/api/v1"
VALIDATION = "urn:followup:problem:validation"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/me", "GET, PATCH"), ("/applications", "GET, POST"), ("/references", "GET, POST")],
)
async def test_a_405_names_every_method_the_path_has(
    client: httpx.AsyncClient, alice: UserWithToken, path: str, allowed: str
) -> None:
    r = await client.put(f"{API}{path}", json={}, headers=alice.headers)
    assert_problem(r, 405)
    assert r.headers["allow"] == allowed


async def test_a_204_has_no_body_and_no_content_type(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    r = await client.delete(f"{API}/applications/{application.id}", headers=alice.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert "content-type" not in r.headers


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, alice: UserWithToken, content_type: str | None
) -> None:
    headers = {**alice.headers, **({"content-type": content_type} if content_type else {})}
    body = b'{"company": "Acme", "role_title": "Engineer"}'
    r = await client.post(f"{API}/applications", content=body, headers=headers)
    assert_problem(r, 415)


async def test_a_json_suffix_media_type_is_json(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    headers = {**alice.headers, "content-type": "application/vnd.followup+json; charset=utf-8"}
    body = b'{"company": "Acme", "role_title": "Engineer"}'
    r = await client.post(f"{API}/applications", content=body, headers=headers)
    assert r.status_code == 201, r.text


async def test_a_json_syntax_error_says_where_in_line_and_column(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    headers = {**alice.headers, "content-type": "application/json"}
    body = b'{"company": "Acme",\n  "role_title": }'
    r = await client.post(f"{API}/applications", content=body, headers=headers)
    problem = assert_problem(r, 422)
    assert problem["type"] == VALIDATION
    assert problem["detail"].startswith("The body is not valid JSON")
    assert "line 2, column 17" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body"]


async def test_every_422_has_the_same_type_and_no_library_prefixes(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    past = await client.post(
        f"{API}/tokens",
        json={"name": "old", "expires_at": "2020-01-01T00:00:00Z"},
        headers=alice.headers,
    )
    foreign = await client.post(
        f"{API}/applications/{application.id}/interviews",
        json={
            "starts_at": "2026-03-01T10:00:00Z",
            "interviewer_ids": ["00000000-0000-4000-8000-000000000000"],
        },
        headers=alice.headers,
    )
    inverted = await client.post(
        f"{API}/applications/{application.id}/interviews",
        json={"starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T09:00:00Z"},
        headers=alice.headers,
    )
    for r in (past, foreign, inverted):
        problem = assert_problem(r, 422)
        assert problem["type"] == VALIDATION
        assert not any(e["msg"].startswith("Value error") for e in problem["errors"])


async def test_a_server_only_event_type_is_not_offered(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    r = await client.post(
        f"{API}/applications/{application.id}/events",
        json={"type": "bogus"},
        headers=alice.headers,
    )
    problem = assert_problem(r, 422)
    assert "status_changed" not in problem["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/me", "name"), ("/me", "current_password"), ("/applications/{id}", "status")],
)
async def test_null_for_a_field_that_cannot_be_cleared_is_422_on_that_field(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    application: Application,
    path: str,
    field: str,
) -> None:
    url = f"{API}{path}".replace("{id}", str(application.id))
    problem = assert_problem(
        await client.patch(url, json={field: None}, headers=alice.headers), 422
    )
    assert problem["errors"][0]["loc"] == ["body", field]
    assert problem["errors"][0]["type"] == "null_not_allowed"


async def test_a_create_answers_in_utc_like_every_later_read(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    r = await client.post(
        f"{API}/applications/{application.id}/interviews",
        json={"starts_at": "2026-03-01T22:00:15+01:00"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["starts_at"] == "2026-03-01T21:00:15Z"
    again = await client.get(f"{API}/interviews/{r.json()['id']}", headers=alice.headers)
    assert again.json()["starts_at"] == r.json()["starts_at"]


async def test_an_interview_moves_an_applied_application_to_interviewing(
    client: httpx.AsyncClient, alice: UserWithToken, application: Application
) -> None:
    assert application.status == "applied"
    r = await client.post(
        f"{API}/applications/{application.id}/interviews",
        json={"starts_at": "2026-03-01T10:00:00Z"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    got = await client.get(f"{API}/applications/{application.id}", headers=alice.headers)
    assert got.json()["status"] == "interviewing"
    events = await client.get(f"{API}/applications/{application.id}/events", headers=alice.headers)
    changes = [e for e in events.json()["items"] if e["type"] == "status_changed"]
    assert [(e["from_status"], e["to_status"]) for e in changes] == [("applied", "interviewing")]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/references", {"name": "Ada\u0000"}),
        ("/applications", {"company": "Acme", "role_title": "Eng", "notes": "\u0000"}),
    ],
)
async def test_text_with_a_nul_character_is_422_on_its_field(
    client: httpx.AsyncClient, alice: UserWithToken, path: str, body: dict[str, str]
) -> None:
    r = await client.post(f"{API}{path}", json=body, headers=alice.headers)
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["type"] == "nul_character"
