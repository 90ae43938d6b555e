"""The Jinja environment, its filters, and `render`, which every page goes through."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.core.headers import BASELINE
from app.models.base import utcnow
from app.web import labels, next_steps, sessions, timefmt
from app.web.deps import Viewer, settings_of
from app.web.flash import clear_flash, read_flash

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

# Pages only load what this server sends; nothing inline, nothing third-party.
SECURITY_HEADERS = {
    **BASELINE,
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    # Pages show private data: never keep them in shared or back-forward caches.
    "Cache-Control": "no-store",
}

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@lru_cache
def static_url(name: str) -> str:
    """The file's URL with a content hash, so browsers cache it until it changes."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


@jinja2.pass_context
def _when(ctx: jinja2.runtime.Context, moment: datetime | None) -> str:
    return timefmt.format_datetime(moment, ctx["tz"], ctx["now"])


@jinja2.pass_context
def _local_input(ctx: jinja2.runtime.Context, moment: datetime | None) -> str:
    return timefmt.input_value(moment, ctx["tz"])


def _day(value: date | None) -> str:
    return timefmt.format_date(value)


env.filters["when"] = _when
env.filters["local_input"] = _local_input
env.filters["day"] = _day
env.filters["by_application"] = next_steps.by_application
env.globals["static_url"] = static_url
env.globals["labels"] = labels
env.globals["label"] = labels.label


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    settings = settings_of(request)
    flash = read_flash(request, settings)
    # Error pages get no Viewer (its rows may be expired after a rollback), only this.
    session_csrf: str = getattr(request.state, "session_csrf", "")
    values: dict[str, Any] = {
        "request": request,
        "viewer": viewer,
        "tz": viewer.tz if viewer else timefmt.zone("UTC"),
        "now": utcnow(),
        # Pages that never looked the session up (a 404 for an unknown address) still
        # show the navigation to someone who has a session cookie.
        "signed_in": bool(session_csrf) or sessions.COOKIE_NAME in request.cookies,
        "csrf_token": viewer.csrf_token if viewer else session_csrf,
        "flash": flash,
        "allow_signup": settings.allow_signup,
        "section": "",
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers.update(SECURITY_HEADERS)
    if flash is not None:
        clear_flash(response, settings)
    return response
