"""Small helpers the page modules share."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.web.deps import settings_of
from app.web.flash import Kind, set_flash


def safe_next(raw: object, default: str = "/") -> str:
    """A local path to go back to; anything that could leave the site becomes `default`."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def redirect(
    request: Request, url: str, flash: str | None = None, kind: Kind = "success"
) -> RedirectResponse:
    """303 See Other: after a form post the browser GETs the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        set_flash(response, settings_of(request), flash, kind)
    return response
