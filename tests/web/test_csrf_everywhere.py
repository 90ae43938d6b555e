"""Every state-changing route of the web client checks a CSRF token: generated from the
route table, so a form route added without the check fails here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from app.main import create_app
from app.web.deps import checked_anonymous_form, checked_form

CSRF_CHECKS: set[Callable[..., Any]] = {checked_form, checked_anonymous_form}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Writes that take no CSRF token, and why.
EXEMPT = {
    "/unsubscribe/{token}": "one-click unsubscribe (RFC 8058): a mail client posts it with "
    "no session; the signed link is the authority, and it can only turn mail off",
    "/settings/data/import": "calls checked_form itself, after seeing whether the body "
    "arrived at all: a file over the size limit is told on the page, unread and changing "
    "nothing (test_importing_needs_the_csrf_token checks the token is still required)",
}


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found = {dependant.call} if dependant.call is not None else set()
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # an included router
        if included is not None:
            yield from _api_routes(included.routes)


def _web_writes() -> list[APIRoute]:
    return [
        route
        for route in _api_routes(create_app().routes)
        if route.endpoint.__module__.startswith("app.web.") and route.methods - SAFE_METHODS
    ]


def test_every_web_write_checks_its_csrf_token() -> None:
    unprotected = [
        f"{sorted(r.methods)} {r.path}"
        for r in _web_writes()
        if not _calls(r.dependant) & CSRF_CHECKS and r.path not in EXEMPT
    ]
    assert not unprotected, unprotected


def test_the_scan_sees_the_forms() -> None:
    paths = {r.path for r in _web_writes()}
    assert {"/login", "/signup", "/logout", "/settings/password"} <= paths
    assert len(paths) >= 20
