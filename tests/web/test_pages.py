"""Error pages, static files, security headers and the page skeleton."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.web.routes import references
from tests.factories import create_application
from tests.helpers import assert_problem
from tests.web.helpers import Browser, assert_html, text_of

pytestmark = pytest.mark.anyio


async def test_unknown_pages_get_a_friendly_404(client: httpx.AsyncClient) -> None:
    page = assert_html(await client.get("/no/such/page"), 404)
    assert "Page not found" in page
    assert 'href="/login"' in page


async def test_api_paths_keep_problem_json(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/no-such-thing"), 404)
    assert_problem(await client.get("/api/v1/applications"), 401)


async def test_wrong_method_gets_a_page(web: Browser) -> None:
    page = assert_html(await web.client.delete("/applications"), 405)
    assert "That didn't work" in text_of(page)


async def test_server_errors_get_a_friendly_500(
    web: Browser, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom: password=hunter2")

    monkeypatch.setattr(references.service, "list_references", explode)
    page = assert_html(await web.get("/references"), 500)
    assert "Something went wrong" in page
    assert "hunter2" not in page
    assert "Traceback" not in page
    assert "unhandled error on GET /references" in caplog.text


async def test_other_routes_outside_the_api_keep_problem_json(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = create_app(settings, sessionmaker)

    async def boom() -> None:
        raise RuntimeError("kaboom")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert_problem(await c.get("/boom"), 500)
        assert_problem(await c.get("/static/no-such-file.css"), 404)


async def test_pages_have_the_skeleton_and_security_headers(web: Browser) -> None:
    r = await web.get("/")
    page = assert_html(r, 200)
    assert '<html lang="en">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert "<title>Next steps · Followup</title>" in page
    assert 'aria-current="page"' in page
    for link in ("Next steps", "Applications", "References", "Settings", "Log out"):
        assert link in text_of(page)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    # No inline scripts or styles: the CSP forbids them.
    assert "<script>" not in page
    assert "style=" not in page


async def test_static_files_are_served_with_a_version(web: Browser) -> None:
    page = (await web.get("/")).text
    for href in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        r = await web.get(href.replace("&amp;", "&"))
        assert r.status_code == 200, href
        assert "?v=" in href


async def test_every_form_control_has_a_label(web: Browser, session: AsyncSession) -> None:
    application = await create_application(session, web.user)
    for path in (
        "/applications/new",
        f"/applications/{application.id}/edit",
        f"/applications/{application.id}/interviews/new",
        f"/applications/{application.id}/interviewers/new",
        f"/applications/{application.id}/events/new",
        "/references/new",
        "/settings",
        "/settings/tokens",
        "/settings/webhooks",
        "/settings/integrations",
        "/applications",
    ):
        page = assert_html(await web.get(path), 200)
        ids = re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"',
            page,
        )
        controls = re.findall(r"<(?:input|select|textarea)(?![^>]*type=\"hidden\")[^>]*>", page)
        assert len(ids) == len(controls), (path, controls)
        for control_id in ids:
            assert f'for="{control_id}"' in page, (path, control_id)
        assert len(set(ids)) == len(ids), (path, "duplicate ids")


async def test_anonymous_pages_render(client: httpx.AsyncClient) -> None:
    for path in ("/login", "/signup"):
        page = assert_html(await client.get(path), 200)
        assert 'name="csrf_token"' in page
        assert "Log out" not in page
