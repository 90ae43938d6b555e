"""Friendly HTML error pages for browser routes; /api and the other machine routes keep
their problem+json answers. Done by wrapping the handlers app.core.errors installed, so
there is still exactly one place that decides what a machine client gets."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from app.core.errors import ProblemError
from app.web.csrf import CsrfRejected
from app.web.deps import LoginRequired
from app.web.templating import render

logger = logging.getLogger("followup.web")

Handler = Callable[[Request, Exception], Awaitable[Response]]

WEB_PACKAGE = "app.web."
# Paths whose clients are programs, not people.
MACHINE_PREFIXES = ("/api/", "/openapi.json", "/docs", "/redoc", "/healthz", "/readyz")

PAGES: dict[int, tuple[str, str]] = {
    400: ("That request didn't work", "Something in the address or the form isn't right."),
    403: ("Not allowed", "You can't do that here."),
    404: (
        "Page not found",
        "We couldn't find that page. It may have been deleted, or the link is wrong.",
    ),
    405: ("That didn't work", "This page can't be used that way."),
    409: ("That clashes with something", "It conflicts with what is already saved."),
    422: ("That didn't work", "Something in the address or the form isn't right."),
    429: ("Please wait a moment", "Too many attempts. Wait a few minutes and try again."),
    500: (
        "Something went wrong",
        "Something went wrong on our side. Nothing you did caused it; please try again.",
    ),
}

CSRF_MESSAGE = (
    "This form had expired or didn't come from this site, so nothing was changed. "
    "Go back, reload the page and try again."
)


def wants_page(request: Request) -> bool:
    """Pages for the web client's routes and for addresses that match no route at all
    (someone typed them); problem+json for /api and every other machine route."""
    path = request.url.path
    if path == "/api" or path.startswith(MACHINE_PREFIXES):
        return False
    endpoint = request.scope.get("endpoint")
    if endpoint is None:
        return True
    return str(getattr(endpoint, "__module__", "")).startswith(WEB_PACKAGE)


def error_page(
    request: Request,
    status: int,
    *,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title, default_message = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    try:
        return render(
            request,
            "error.html",
            {"title": title, "message": message or default_message, "status": status},
            status_code=status,
            headers=headers,
        )
    except Exception:  # the error page must not fail in turn (e.g. a broken session)
        logger.exception("could not render the error page")
        return Response(f"{title}\n\n{message or default_message}\n", status, headers)


async def _html_for(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ProblemError):
        # Detail is written for people (throttling, conflicts); 404s stay generic.
        message = None if exc.status in (404, 500) else exc.detail
        return error_page(request, exc.status, message=message, headers=exc.headers)
    if isinstance(exc, RequestValidationError):
        return error_page(request, 422)
    if isinstance(exc, StarletteHTTPException):
        return error_page(request, exc.status_code, headers=dict(exc.headers or {}))
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def _branch(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if wants_page(request):
            return await _html_for(request, exc)
        return await api_handler(request, exc)

    return handle


async def _on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = "/login"
    if exc.next_path and exc.next_path != "/":
        target += "?" + urlencode({"next": exc.next_path})
    return RedirectResponse(target, status_code=303)


async def _on_csrf_rejected(request: Request, exc: Exception) -> Response:
    return error_page(request, 403, message=CSRF_MESSAGE)


def install_html_error_pages(app: FastAPI) -> None:
    """Call after app.core.errors.install_error_handlers."""
    handlers: dict[Any, Handler] = dict(app.exception_handlers)
    for key in (ProblemError, RequestValidationError, StarletteHTTPException, Exception):
        if key in handlers:
            app.add_exception_handler(key, _branch(handlers[key]))
    app.add_exception_handler(LoginRequired, _on_login_required)
    app.add_exception_handler(CsrfRejected, _on_csrf_rejected)
