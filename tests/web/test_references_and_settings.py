"""References, profile and timezone, password, and API tokens in the web client."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.security import verify_password
from app.models import ApiToken, Reference, WebSession
from app.web import sessions
from tests.dbstate import snapshot
from tests.factories import DEFAULT_PASSWORD, UserWithToken, create_application, create_reference
from tests.web.helpers import Browser, assert_html, field_error, flash_of, input_value, text_of

pytestmark = pytest.mark.anyio


async def test_references_list_add_edit_delete(web: Browser, session: AsyncSession) -> None:
    assert "No references yet" in assert_html(await web.get("/references"), 200)
    r = await web.post(
        "/references/new",
        {"name": "Margaret Hamilton", "relationship": "former manager", "email": "mh@example.com"},
    )
    assert r.status_code == 303
    page = text_of((await web.get("/references")).text)
    assert "Added Margaret Hamilton." in page
    assert "former manager" in page
    reference = await session.scalar(select(Reference))
    assert reference is not None
    form = assert_html(await web.get(f"/references/{reference.id}/edit"), 200)
    assert input_value(form, "f-email") == "mh@example.com"
    r = await web.post(
        f"/references/{reference.id}/edit", {"name": "Margaret H. Hamilton", "relationship": ""}
    )
    assert r.status_code == 303
    await session.refresh(reference)
    assert (reference.name, reference.relationship, reference.email) == (
        "Margaret H. Hamilton",
        None,
        None,
    )
    application = await create_application(session, web.user)
    await web.post(
        f"/applications/{application.id}/edit",
        {
            "company": "Acme Corp",
            "role_title": "Engineer",
            "status": "applied",
            "reference_ids": [str(reference.id)],
        },
    )
    confirm = text_of((await web.get(f"/references/{reference.id}/delete")).text)
    assert "taken off every application" in confirm
    r = await web.post(f"/references/{reference.id}/delete")
    assert r.status_code == 303
    session.expunge_all()
    assert (await session.scalars(select(Reference))).all() == []


async def test_invalid_reference_is_refused(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    r = await web.post("/references/new", {"name": "", "email": "x@", "notes": "kept"})
    page = assert_html(r, 422)
    assert field_error(page, "f-name") == "This is required."
    assert field_error(page, "f-email") == "Enter an email address like name@example.com."
    assert "kept</textarea>" in page
    r = await web.client.post("/references/new", data={"name": "No token"})
    assert_html(r, 403)
    assert await snapshot(session) == before


async def test_someone_elses_reference_is_not_found(
    web: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    theirs = await create_reference(session, bob.user)
    before = await snapshot(session)
    for path in ("/edit", "/delete"):
        assert_html(await web.get(f"/references/{theirs.id}{path}"), 404)
    assert_html(await web.post(f"/references/{theirs.id}/delete"), 404)
    assert_html(await web.post(f"/references/{theirs.id}/edit", {"name": "Mine now"}), 404)
    assert await snapshot(session) == before


async def test_profile_and_timezone(web: Browser, session: AsyncSession) -> None:
    page = assert_html(await web.get("/settings"), 200)
    assert input_value(page, "f-name") == "Alice Archer"
    assert "<option>Europe/Berlin</option>" in page
    assert "<option selected>UTC</option>" in page
    r = await web.post(
        "/settings",
        {"name": "Alice A.", "email": web.user.email, "timezone": "Asia/Tokyo"},
    )
    assert r.status_code == 303
    await session.refresh(web.user)
    assert (web.user.name, web.user.timezone) == ("Alice A.", "Asia/Tokyo")
    assert "Profile saved." in (flash_of((await web.get("/settings")).text) or "")


async def test_changing_email_needs_the_current_password(
    web: Browser, session: AsyncSession
) -> None:
    before = await snapshot(session)
    r = await web.post(
        "/settings", {"name": "Alice", "email": "new@example.com", "timezone": "UTC"}
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-current_password") == (
        "Give your current password to change your email or password."
    )
    assert input_value(page, "f-email") == "new@example.com"
    assert await snapshot(session) == before
    r = await web.post(
        "/settings",
        {
            "name": "Alice",
            "email": "new@example.com",
            "timezone": "UTC",
            "current_password": DEFAULT_PASSWORD,
        },
    )
    assert r.status_code == 303
    await session.refresh(web.user)
    assert web.user.email == "new@example.com"


async def test_invalid_profile_changes_nothing(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    r = await web.post("/settings", {"name": "", "email": web.user.email, "timezone": "Nowhere"})
    page = assert_html(r, 422)
    assert field_error(page, "f-name") == "This is required."
    assert "is not an IANA timezone" in (field_error(page, "f-timezone") or "")
    assert input_value(page, "f-name") == ""
    assert await snapshot(session) == before


async def test_change_password_logs_out_other_devices(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await sessions.start_session(session, web.user)  # another browser
    await session.commit()
    old_cookie = client.cookies[sessions.COOKIE_NAME]
    r = await web.post(
        "/settings/password",
        {
            "current_password": "wrong password",
            "password": "a new long password",
            "password_confirmation": "a new long password",
        },
    )
    page = assert_html(r, 422)
    assert "current password" in (field_error(page, "pw-current_password") or "")
    r = await web.post(
        "/settings/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": "a new long password",
            "password_confirmation": "something else",
        },
    )
    page = assert_html(r, 422)
    assert field_error(page, "pw-password_confirmation") == "The two new passwords differ."
    r = await web.post(
        "/settings/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": "a new long password",
            "password_confirmation": "a new long password",
        },
    )
    assert r.status_code == 303
    await session.refresh(web.user)
    assert verify_password("a new long password", web.user.password_hash)
    assert await session.scalar(select(func.count()).select_from(WebSession)) == 1
    assert_html(await web.get("/settings"), 200)  # this browser stays signed in...
    # ...under a new session id: a copy of the cookie from before the change is dead.
    assert r.cookies[sessions.COOKIE_NAME] != old_cookie
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE_NAME, old_cookie)
    assert (await client.get("/settings")).status_code == 303


async def test_changing_the_password_through_the_api_ends_every_browser_session(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    assert (await web.get("/settings")).status_code == 200
    r = await client.patch(
        "/api/v1/me",
        json={"password": "a new long password", "current_password": DEFAULT_PASSWORD},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert (await web.get("/settings")).status_code == 303  # sent to log in


async def test_api_token_is_shown_once_and_works_until_revoked(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    r = await web.post("/settings/tokens", {"name": "backup script", "expires": "30"})
    page = assert_html(r, 200)
    assert r.headers["cache-control"] == "no-store"
    token = input_value(page, "new-token")
    assert token.startswith("fu_")
    assert "shown only this once" in text_of(page)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    listing = assert_html(await web.get("/settings/tokens"), 200)
    assert token not in listing
    assert "backup script" in listing
    row = await session.scalar(select(ApiToken).where(ApiToken.name == "backup script"))
    assert row is not None
    assert row.expires_at is not None
    revoke = re.search(rf'action="(/settings/tokens/{row.id}/revoke)"', listing)
    assert revoke
    before = await snapshot(session)
    assert_html(await web.client.post(revoke.group(1)), 403)
    assert await snapshot(session) == before
    r = await web.post(revoke.group(1))
    assert r.status_code == 303
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


async def test_invalid_token_form_is_refused(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    page = assert_html(await web.post("/settings/tokens", {"name": "", "expires": "never"}), 422)
    assert field_error(page, "f-name") == "This is required."
    page = assert_html(await web.post("/settings/tokens", {"name": "x", "expires": "42"}), 422)
    assert field_error(page, "f-expires") == "Choose one of the options."
    assert await snapshot(session) == before


async def test_someone_elses_token_cannot_be_revoked(
    web: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    theirs = await session.scalar(select(ApiToken).where(ApiToken.user_id == bob.user.id))
    assert theirs is not None
    assert_html(await web.post(f"/settings/tokens/{theirs.id}/revoke"), 404)
    assert await session.get(ApiToken, theirs.id) is not None


async def _access_token(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.post(
        "/api/v1/auth/token", data={"username": "alice@example.com", "password": DEFAULT_PASSWORD}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _status_of(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/me", headers=headers)).status_code


async def test_a_password_change_here_ends_access_tokens_too(
    web: Browser, client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    access = await _access_token(client)
    r = await web.post(
        "/settings/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "password": "a new long password",
            "password_confirmation": "a new long password",
        },
    )
    assert r.status_code == 303
    assert await _status_of(client, access) == 401
    assert await _status_of(client, alice.headers) == 200  # personal tokens stay


async def test_log_out_everywhere_ends_every_session_and_access_token(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    await sessions.start_session(session, web.user)  # another browser
    await session.commit()
    access = await _access_token(client)
    page = assert_html(await web.get("/settings"), 200)
    assert 'action="/settings/logout-everywhere"' in page
    before = await snapshot(session)
    assert_html(await web.client.post("/settings/logout-everywhere"), 403)  # no CSRF token
    assert await snapshot(session) == before

    r = await web.post("/settings/logout-everywhere")
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert "logged out everywhere" in (flash_of((await client.get("/login")).text) or "")
    assert await session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert await _status_of(client, access) == 401
    assert await _status_of(client, alice.headers) == 200
    assert (await web.get("/settings")).status_code == 303


async def test_revoke_all_tokens(
    web: Browser, session: AsyncSession, client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    access = await _access_token(client)
    listing = assert_html(await web.get("/settings/tokens"), 200)
    assert 'action="/settings/tokens/revoke-all"' in listing
    before = await snapshot(session)
    assert_html(await web.client.post("/settings/tokens/revoke-all"), 403)
    assert await snapshot(session) == before

    r = await web.post("/settings/tokens/revoke-all")
    assert r.status_code == 303
    page = assert_html(await web.get("/settings/tokens"), 200)
    assert "Revoked every token" in (flash_of(page) or "")
    assert "No tokens yet." in page
    assert await _status_of(client, alice.headers) == 401
    assert await _status_of(client, access) == 200  # a sign-in, not a personal token
