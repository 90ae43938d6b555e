"""Sign up, log in, log out: sessions, cookies, CSRF and throttling (docs/api.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import LoginFailure, User, WebSession
from app.web import csrf, sessions
from tests.dbstate import snapshot
from tests.factories import DEFAULT_PASSWORD, UserWithToken
from tests.web.helpers import (
    Browser,
    assert_html,
    csrf_of,
    field_error,
    flash_of,
    input_value,
    text_of,
)

pytestmark = pytest.mark.anyio

KEY = Fernet.generate_key().decode()  # production settings need encryption keys
PAGES = [
    "/",
    "/applications",
    "/applications/new",
    "/references",
    "/references/new",
    "/settings",
    "/settings/tokens",
]


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("path", PAGES)
async def test_anonymous_visitors_are_sent_to_log_in(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 303
    expected = "/login" if path == "/" else f"/login?next={path.replace('/', '%2F')}"
    assert r.headers["location"] == expected


async def test_anonymous_form_posts_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    before = await snapshot(session)
    r = await client.post("/applications/new", data={"company": "A", "role_title": "B"})
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert await snapshot(session) == before


async def _signup_form(client: httpx.AsyncClient) -> str:
    page = assert_html(await client.get("/signup"), 200)
    assert client.cookies.get(csrf.ANON_COOKIE)
    return csrf_of(page)


async def test_sign_up_creates_the_account_and_a_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _signup_form(client)
    r = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Ada Lovelace",
            "email": "Ada@Example.com",
            "password": "correct horse battery",
            "timezone": "Europe/Berlin",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("followup_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # not production
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None
    assert user.timezone == "Europe/Berlin"
    assert await _count(session, WebSession) == 1
    page = assert_html(await client.get("/"), 200)
    assert "Welcome to Followup, Ada Lovelace." in (flash_of(page) or "")
    assert "Log out" in page


async def test_sign_up_with_invalid_input_keeps_it_and_marks_the_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _signup_form(client)
    before = await snapshot(session)
    r = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Ada",
            "email": "not-an-email",
            "password": "short",
            "timezone": "Mars/Olympus",
        },
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-email") == "Enter an email address like name@example.com."
    assert field_error(page, "f-password") == "Use at least 10 characters."
    assert "is not an IANA timezone" in (field_error(page, "f-timezone") or "")
    assert field_error(page, "f-name") is None
    assert input_value(page, "f-name") == "Ada"
    assert input_value(page, "f-email") == "not-an-email"
    assert input_value(page, "f-password") == ""  # never echoed back
    assert "Please check the form" in page
    assert await snapshot(session) == before


async def test_sign_up_with_a_taken_email_says_so(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    token = await _signup_form(client)
    before = await snapshot(session)
    r = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Another Alice",
            "email": alice.user.email,
            "password": "correct horse battery",
            "timezone": "UTC",
        },
    )
    page = assert_html(r, 409)
    assert "An account with this email already exists." in text_of(page)
    assert await snapshot(session) == before


@pytest.fixture
async def closed_client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"allow_signup": False}), sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_sign_up_honours_allow_signup(
    closed_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert "Sign-up is closed" in assert_html(await closed_client.get("/signup"), 403)
    login = assert_html(await closed_client.get("/login"), 200)
    assert "/signup" not in login
    before = await snapshot(session)
    r = await closed_client.post(
        "/signup",
        data={
            "csrf_token": csrf_of(login),
            "name": "Ada",
            "email": "ada@example.com",
            "password": "correct horse battery",
            "timezone": "UTC",
        },
    )
    assert_html(r, 403)
    assert await snapshot(session) == before


async def _log_in(
    client: httpx.AsyncClient, email: str, password: str, next_path: str = "/"
) -> httpx.Response:
    token = csrf_of((await client.get("/login")).text)
    return await client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": next_path},
    )


async def test_log_in_goes_back_to_the_page_asked_for(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    r = await client.get("/references")
    assert r.headers["location"] == "/login?next=%2Freferences"
    page = (await client.get(r.headers["location"])).text
    assert 'name="next" value="/references"' in page
    r = await _log_in(client, "ALICE@example.com ", DEFAULT_PASSWORD, "/references")
    assert r.status_code == 303
    assert r.headers["location"] == "/references"
    assert_html(await client.get("/references"), 200)
    assert await _count(session, WebSession) == 1


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "/\\evil"])
async def test_log_in_never_redirects_off_site(
    client: httpx.AsyncClient, alice: UserWithToken, next_path: str
) -> None:
    r = await _log_in(client, alice.user.email, DEFAULT_PASSWORD, next_path)
    assert r.headers["location"] == "/"


async def test_wrong_password_is_refused_and_counted(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    before = await snapshot(session)
    r = await _log_in(client, alice.user.email, "not the password")
    page = assert_html(r, 401)
    assert "The email or password is wrong." in text_of(page)
    assert input_value(page, "f-email") == alice.user.email
    assert sessions.COOKIE_NAME not in client.cookies
    assert await snapshot(session) == before
    assert await _count(session, LoginFailure) == 1


async def test_log_in_is_throttled_like_the_api(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    for _ in range(10):
        assert (await _log_in(client, alice.user.email, "wrong password!")).status_code == 401
    r = await _log_in(client, alice.user.email, DEFAULT_PASSWORD)
    page = assert_html(r, 429)
    assert int(r.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in text_of(page)
    assert await _count(session, WebSession) == 0


async def test_empty_login_fields_are_marked(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/login")).text)
    r = await client.post("/login", data={"csrf_token": token, "email": "", "password": ""})
    page = assert_html(r, 422)
    assert field_error(page, "f-email") == "Enter your email address."
    assert field_error(page, "f-password") == "Enter your password."


@pytest.mark.parametrize("token", [None, "", "forged"])
async def test_login_needs_its_csrf_token(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, token: str | None
) -> None:
    await client.get("/login")  # sets the double-submit cookie
    data = {"email": alice.user.email, "password": DEFAULT_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    before = await snapshot(session)
    page = assert_html(await client.post("/login", data=data), 403)
    assert "nothing was changed" in text_of(page)
    assert await snapshot(session) == before


async def test_login_csrf_token_is_bound_to_the_browser(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    token = csrf_of((await client.get("/login")).text)
    client.cookies.set(csrf.ANON_COOKIE, "another-browser")
    r = await client.post(
        "/login",
        data={"csrf_token": token, "email": alice.user.email, "password": DEFAULT_PASSWORD},
    )
    assert_html(r, 403)


async def test_log_out_ends_the_session(web: Browser, session: AsyncSession) -> None:
    assert await _count(session, WebSession) == 1
    r = await web.post("/logout")
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert await _count(session, WebSession) == 0
    assert (await web.get("/")).status_code == 303


async def test_log_out_needs_the_csrf_token(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    r = await web.client.post("/logout", data={"csrf_token": "nope"})
    assert_html(r, 403)
    assert await snapshot(session) == before
    assert_html(await web.get("/"), 200)


async def test_a_stolen_cookie_is_useless_once_logged_out(
    web: Browser, client: httpx.AsyncClient
) -> None:
    cookie_value = client.cookies[sessions.COOKIE_NAME]
    await web.post("/logout")
    client.cookies.set(sessions.COOKIE_NAME, cookie_value)
    assert (await client.get("/")).status_code == 303


async def test_expired_sessions_do_not_count(web: Browser, session: AsyncSession) -> None:
    row = await session.scalar(select(WebSession))
    assert row is not None
    row.expires_at = row.created_at
    await session.commit()
    assert (await web.get("/")).status_code == 303


async def test_logging_in_again_ends_the_browsers_previous_session(
    web: Browser, session: AsyncSession
) -> None:
    old = await session.scalar(select(WebSession))
    assert old is not None
    # The login form as this browser would have got it before signing in.
    cookie_value = web.client.cookies[sessions.COOKIE_NAME]
    del web.client.cookies[sessions.COOKIE_NAME]
    token = csrf_of((await web.client.get("/login")).text)
    web.client.cookies.set(sessions.COOKIE_NAME, cookie_value)
    r = await web.client.post(
        "/login",
        data={"csrf_token": token, "email": web.user.email, "password": DEFAULT_PASSWORD},
    )
    assert r.status_code == 303
    session.expunge_all()
    rows = (await session.scalars(select(WebSession))).all()
    assert [row.id for row in rows] != [old.id]
    assert len(rows) == 1


async def test_signed_in_visitors_skip_the_login_page(web: Browser) -> None:
    r = await web.get("/login")
    assert r.status_code == 303
    assert r.headers["location"] == "/"


async def test_cookies_are_secure_in_production(
    sessionmaker: async_sessionmaker[AsyncSession], alice: UserWithToken
) -> None:
    settings = Settings(
        env="production", secret_key="s" * 40, encryption_keys=KEY, run_worker=False
    )
    app = create_app(settings, sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as c:
        r = await _log_in(c, alice.user.email, DEFAULT_PASSWORD)
    assert r.status_code == 303
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("followup_session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
