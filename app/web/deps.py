"""Who is looking at the page (from the session cookie), and checked form bodies."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from starlette.datastructures import FormData

from app.core.config import Settings
from app.core.db import SessionDep
from app.models import User, WebSession
from app.models.base import utcnow
from app.web import csrf, sessions
from app.web.timefmt import zone


class LoginRequired(Exception):
    """No live session: the visitor is sent to the login page, then back."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    web_session: WebSession

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.user.timezone)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def optional_viewer(request: Request, session: SessionDep) -> Viewer | None:
    cookie_value = request.cookies.get(sessions.COOKIE_NAME)
    if not cookie_value or len(cookie_value) > 200:
        return None
    found = await sessions.load_session(session, cookie_value, utcnow())
    if found is None:
        return None
    viewer = Viewer(user=found[1], web_session=found[0])
    # A plain copy for error pages: after a rollback the rows themselves are expired.
    request.state.session_csrf = viewer.csrf_token
    return viewer


async def current_viewer(
    request: Request, viewer: Annotated[Viewer | None, Depends(optional_viewer)]
) -> Viewer:
    if viewer is None:
        # Only a page can be returned to; a form post starts over from the dashboard.
        next_path = None
        if request.method == "GET":
            next_path = request.url.path
            if request.url.query:
                next_path += f"?{request.url.query}"
        raise LoginRequired(next_path)
    return viewer


async def checked_form(
    request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]
) -> FormData:
    """The posted form, once its CSRF token matched the session's (403 otherwise)."""
    form = await request.form()
    csrf.check_session_token(viewer.web_session, form.get(csrf.FIELD))
    return form


async def checked_anonymous_form(request: Request) -> FormData:
    form = await request.form()
    csrf.check_anonymous_token(request, settings_of(request), form.get(csrf.FIELD))
    return form


MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
ViewerDep = Annotated[Viewer, Depends(current_viewer)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
AnonymousForm = Annotated[FormData, Depends(checked_anonymous_form)]
