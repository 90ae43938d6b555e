"""Security headers on every kind of response, a CSP with no inline script on pages,
templates that need none, CORS closed unless configured, and debug off."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.web.templating import TEMPLATES_DIR

pytestmark = pytest.mark.anyio

KEY = Fernet.generate_key().decode()  # production settings need encryption keys
BASELINE = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


async def _client(
    app_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(
        app=create_app(app_settings, sessionmaker), raise_app_exceptions=False
    )
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def cors_client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(update={"cors_origins": ["https://app.example.com"]})
    async with await _client(configured, sessionmaker) as c:
        yield c


@pytest.mark.parametrize(
    "path",
    [
        "/login",  # a page
        "/",  # a redirect to log in
        "/no-such-page",  # an HTML 404
        "/api/v1/me",  # a JSON 401
        "/api/v1/nothing",  # a problem+json 404
        "/healthz",
        "/static/app.css",
        "/openapi.json",
    ],
)
async def test_every_response_has_the_baseline_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    r = await client.get(path)
    for name, value in BASELINE.items():
        assert r.headers.get(name) == value, (path, name)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


async def test_pages_allow_only_their_own_scripts(client: httpx.AsyncClient) -> None:
    csp = (await client.get("/login")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


def _templates() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_templates_have_no_inline_script_handlers_or_styles(template: Path) -> None:
    # The CSP would block them in the browser; catching them here says which file.
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "an on* event handler attribute"
    assert not re.search(r"\sstyle\s*=", text, re.I), "a style attribute"
    assert "javascript:" not in text.lower()


def test_the_template_scan_sees_the_templates() -> None:
    assert len(_templates()) >= 20


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        "/api/v1/applications",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    r = await client.get("/api/v1/me", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


async def test_cors_allows_only_the_configured_origins(cors_client: httpx.AsyncClient) -> None:
    ok = await cors_client.options(
        "/api/v1/applications",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-credentials" not in ok.headers
    other = await cors_client.options(
        "/api/v1/applications",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_cors_origins_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_debug_is_off() -> None:
    # Starlette's debug mode would answer errors with a traceback page.
    settings = Settings(env="production", secret_key="x" * 40, encryption_keys=KEY)
    assert create_app(settings).debug is False


def test_production_refuses_the_default_secret_key() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(env="production")
