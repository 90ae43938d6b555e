"""Accounts, access tokens, personal API tokens and login throttling."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ApiToken, User
from tests.factories import DEFAULT_PASSWORD, UserWithToken
from tests.helpers import assert_problem, record_token_usage

pytestmark = pytest.mark.anyio

NEW_USER = {
    "email": "Carol@Example.com",
    "password": "a long enough password",
    "name": "Carol Chen",
    "timezone": "Europe/Berlin",
}


async def test_register_creates_an_account_and_login_works(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/register", json=NEW_USER)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "carol@example.com"
    assert body["timezone"] == "Europe/Berlin"
    assert set(body) == {"id", "email", "name", "timezone", "created_at"}
    assert r.headers["location"].endswith("/api/v1/me")

    token = await client.post(
        "/api/v1/auth/token",
        data={"username": "carol@example.com", "password": NEW_USER["password"]},
    )
    assert token.status_code == 200, token.text
    grant = token.json()
    assert grant["token_type"] == "bearer"
    assert grant["expires_in"] > 0
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {grant['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["id"] == body["id"]


async def test_register_defaults_timezone_to_utc(client: httpx.AsyncClient) -> None:
    data = {k: v for k, v in NEW_USER.items() if k != "timezone"}
    r = await client.post("/api/v1/auth/register", json=data)
    assert r.status_code == 201
    assert r.json()["timezone"] == "UTC"


async def test_duplicate_registration_is_409(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await client.post("/api/v1/auth/register", json=NEW_USER)).status_code == 201
    again = dict(NEW_USER, email="CAROL@example.com")
    assert_problem(await client.post("/api/v1/auth/register", json=again), 409)
    assert await session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"password": "short"}, "body.password"),
        ({"email": "not-an-email"}, "body.email"),
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"name": ""}, "body.name"),
        ({"id": "00000000-0000-0000-0000-000000000000"}, "body.id"),
        ({"is_admin": True}, "body.is_admin"),
    ],
    ids=[
        "short_password",
        "bad_email",
        "unknown_timezone",
        "empty_name",
        "read_only_id",
        "unknown",
    ],
)
async def test_register_rejects_bad_input(
    client: httpx.AsyncClient, session: AsyncSession, change: dict[str, object], loc: str
) -> None:
    r = await client.post("/api/v1/auth/register", json=dict(NEW_USER, **change))
    assert_problem(r, 422, loc=loc)
    assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_register_can_be_disabled(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import config

    monkeypatch.setattr(config.get_settings(), "allow_signup", False)
    assert_problem(await client.post("/api/v1/auth/register", json=NEW_USER), 403)


async def test_wrong_password_is_401(client: httpx.AsyncClient, alice: UserWithToken) -> None:
    r = await client.post(
        "/api/v1/auth/token", data={"username": "alice@example.com", "password": "wrong password"}
    )
    assert_problem(r, 401)
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.com", "password": "whatever!!"}
    )
    assert_problem(unknown, 401)


async def test_ten_failures_throttle_the_account_with_retry_after(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    for _ in range(10):
        r = await client.post(
            "/api/v1/auth/token", data={"username": "alice@example.com", "password": "nope nope"}
        )
        assert r.status_code == 401
    # Even the right password is refused until the window passes.
    r = await client.post(
        "/api/v1/auth/token", data={"username": "alice@example.com", "password": DEFAULT_PASSWORD}
    )
    body = assert_problem(r, 429)
    assert "sign-in" in body["detail"]
    assert 1 <= int(r.headers["retry-after"]) <= 15 * 60 + 1


async def test_success_before_the_limit_clears_the_count(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    async def login(password: str) -> int:
        r = await client.post(
            "/api/v1/auth/token", data={"username": "alice@example.com", "password": password}
        )
        return r.status_code

    for _ in range(9):
        assert await login("nope nope") == 401
    assert await login(DEFAULT_PASSWORD) == 200
    for _ in range(9):
        assert await login("nope nope") == 401
    assert await login(DEFAULT_PASSWORD) == 200


async def test_every_api_path_needs_a_token(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/me", "/api/v1/applications", "/api/v1/references", "/api/v1/tokens"):
        r = await client.get(path)
        assert_problem(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer fu_not-a-token"})
    assert_problem(r, 401)


async def test_me_patch_updates_profile(client: httpx.AsyncClient, alice: UserWithToken) -> None:
    r = await client.patch(
        "/api/v1/me",
        json={"name": "Alice A.", "timezone": "America/New_York"},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Alice A."
    assert r.json()["timezone"] == "America/New_York"
    assert_problem(
        await client.patch("/api/v1/me", json={"timezone": "Nowhere"}, headers=alice.headers),
        422,
        loc="body.timezone",
    )
    assert_problem(
        await client.patch("/api/v1/me", json={"name": None}, headers=alice.headers), 422
    )


async def test_me_password_change_needs_the_current_password(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    r = await client.patch(
        "/api/v1/me", json={"password": "a brand new password"}, headers=alice.headers
    )
    assert_problem(r, 422, loc="body.current_password")
    r = await client.patch(
        "/api/v1/me",
        json={"password": "a brand new password", "current_password": DEFAULT_PASSWORD},
        headers=alice.headers,
    )
    assert r.status_code == 200
    login = await client.post(
        "/api/v1/auth/token",
        data={"username": "alice@example.com", "password": "a brand new password"},
    )
    assert login.status_code == 200


async def test_email_change_to_a_taken_email_is_409(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    r = await client.patch(
        "/api/v1/me",
        json={"email": "bob@example.com", "current_password": DEFAULT_PASSWORD},
        headers=alice.headers,
    )
    assert_problem(r, 409)


async def test_personal_token_is_shown_once_works_and_revokes_at_once(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    r = await client.post("/api/v1/tokens", json={"name": "backup"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    token = created["token"]
    assert token.startswith("fu_")
    assert created["prefix"] == token[:10]
    # Stored hashed: the token itself is nowhere in the database.
    stored = await session.scalar(select(ApiToken).where(ApiToken.id == uuid.UUID(created["id"])))
    assert stored is not None
    assert token not in (stored.token_hash, stored.prefix)

    listed = (await client.get("/api/v1/tokens", headers=alice.headers)).json()
    assert listed["next_cursor"] is None  # a page, like every other list
    backup = next(t for t in listed["items"] if t["id"] == created["id"])
    assert "token" not in backup
    assert backup["last_used_at"] is None

    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    # The use is recorded off the request path, by the app's own task.
    fetched = (await client.get(f"/api/v1/tokens/{created['id']}", headers=alice.headers)).json()
    assert fetched["last_used_at"] is None
    await record_token_usage(client, sessionmaker)
    fetched = (await client.get(f"/api/v1/tokens/{created['id']}", headers=alice.headers)).json()
    assert fetched["last_used_at"] is not None

    assert (
        await client.delete(f"/api/v1/tokens/{created['id']}", headers=alice.headers)
    ).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_expired_token_is_refused(client: httpx.AsyncClient, alice: UserWithToken) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert_problem(
        await client.post(
            "/api/v1/tokens", json={"name": "x", "expires_at": past}, headers=alice.headers
        ),
        422,
        loc="body.expires_at",
    )
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = await client.post(
        "/api/v1/tokens", json={"name": "x", "expires_at": soon}, headers=alice.headers
    )
    assert r.status_code == 201
    assert_problem(
        await client.post(
            "/api/v1/tokens",
            json={"name": "x", "expires_at": "2030-01-01T00:00:00"},
            headers=alice.headers,
        ),
        422,
        loc="body.expires_at",
    )


async def test_token_of_another_user_cannot_be_revoked(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    r = await client.post("/api/v1/tokens", json={"name": "mine"}, headers=alice.headers)
    assert_problem(
        await client.delete(f"/api/v1/tokens/{r.json()['id']}", headers=bob.headers), 404
    )
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    ).status_code == 200


async def test_tokens_are_listed_a_page_at_a_time(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    for name in ("one", "two", "three"):
        r = await client.post("/api/v1/tokens", json={"name": name}, headers=alice.headers)
        assert r.status_code == 201, r.text
    first = await client.get("/api/v1/tokens?limit=2", headers=alice.headers)
    assert first.status_code == 200, first.text
    assert [t["name"] for t in first.json()["items"]] == ["three", "two"]
    assert 'rel="next"' in first.headers["link"]
    rest = await client.get(
        "/api/v1/tokens",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=alice.headers,
    )
    assert [t["name"] for t in rest.json()["items"]][:1] == ["one"]
    assert rest.json()["next_cursor"] is None


async def _access_token(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_a_password_change_ends_access_tokens_and_keeps_personal_ones(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    phone = await _access_token(client, "alice@example.com", DEFAULT_PASSWORD)
    laptop = await _access_token(client, "alice@example.com", DEFAULT_PASSWORD)
    bobs = await _access_token(client, "bob@example.com", DEFAULT_PASSWORD)
    r = await client.patch(
        "/api/v1/me",
        json={"password": "a brand new password", "current_password": DEFAULT_PASSWORD},
        headers=phone,
    )
    assert r.status_code == 200, r.text
    for ended in (phone, laptop):
        assert_problem(await client.get("/api/v1/me", headers=ended), 401)
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=bobs)).status_code == 200
    fresh = await _access_token(client, "alice@example.com", "a brand new password")
    assert (await client.get("/api/v1/me", headers=fresh)).status_code == 200


async def test_delete_tokens_revokes_every_personal_token_at_once(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    personal = [alice.headers]
    for name in ("backup", "phone"):
        r = await client.post("/api/v1/tokens", json={"name": name}, headers=alice.headers)
        personal.append({"Authorization": f"Bearer {r.json()['token']}"})
    access = await _access_token(client, "alice@example.com", DEFAULT_PASSWORD)

    r = await client.delete("/api/v1/tokens", headers=personal[1])
    assert r.status_code == 204
    assert r.content == b""
    for revoked in personal:
        assert_problem(await client.get("/api/v1/me", headers=revoked), 401)
    listed = await client.get("/api/v1/tokens", headers=access)  # a sign-in still works
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"items": [], "next_cursor": None}
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200
    assert (await client.delete("/api/v1/tokens", headers=access)).status_code == 204
