"""Settings: profile, timezone, password, and logging out everywhere."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth import service
from app.auth.schemas import MePatch
from app.core.db import SessionDep, TransactionRoute
from app.models import User
from app.web import sessions
from app.web.deps import CheckedForm, Viewer, ViewerDep, settings_of
from app.web.forms import FieldProblems, FormState, attempt, read_form
from app.web.routes.common import redirect
from app.web.templating import render
from app.web.timezones import timezone_choices

router = APIRouter(route_class=TransactionRoute)

PROFILE_FIELDS = ("name", "email", "timezone", "current_password")
PASSWORD_FIELDS = ("current_password", "password", "password_confirmation")


def _page(
    request: Request,
    viewer: Viewer,
    profile: FormState | None = None,
    password: FormState | None = None,
) -> Response:
    user = viewer.user
    profile = profile or FormState(
        values={"name": user.name, "email": user.email, "timezone": user.timezone}
    )
    password = password or FormState(values={})
    password.prefix = "pw"
    status_code = max(profile.status_code, password.status_code)
    return render(
        request,
        "settings/profile.html",
        {
            "title": "Settings",
            "section": "settings",
            "tab": "profile",
            "form": profile,
            "password_form": password,
            "timezones": timezone_choices(),
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/settings")
async def settings_page(request: Request, viewer: ViewerDep) -> Response:
    return _page(request, viewer)


@router.post("/settings")
async def update_profile(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, PROFILE_FIELDS)
    user = viewer.user

    async def update() -> User:
        data: dict[str, Any] = {
            "name": form.value("name"),
            "timezone": form.value("timezone"),
        }
        if service.normalise_email(form.value("email")) != user.email:
            data["email"] = form.value("email").strip()
            if form.value("current_password"):
                data["current_password"] = form.value("current_password")
        return await service.update_me(session, user, MePatch.model_validate(data))

    await attempt(session, form, update, keep=[user])
    form.values["current_password"] = ""
    if form.invalid:
        return _page(request, viewer, profile=form)
    return redirect(request, "/settings", "Profile saved.")


@router.post("/settings/password")
async def change_password(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, PASSWORD_FIELDS)
    user = viewer.user

    new_cookie: list[str] = []

    async def update() -> User:
        if form.value("password") != form.value("password_confirmation"):
            raise FieldProblems({"password_confirmation": "The two new passwords differ."})
        data = MePatch.model_validate(
            {"password": form.value("password"), "current_password": form.value("current_password")}
        )
        # update_me ends every session of the account, this one included; this browser
        # gets a new session id, so a copy of its old cookie is worthless too.
        changed = await service.update_me(session, user, data)
        new_cookie.append((await sessions.start_session(session, user))[1])
        return changed

    await attempt(session, form, update, keep=[user])
    form.values = {}  # passwords are never echoed back
    if form.invalid or not new_cookie:
        return _page(request, viewer, password=form)
    response = redirect(request, "/settings", "Password changed. Other devices were logged out.")
    sessions.set_session_cookie(response, new_cookie[0], settings_of(request))
    return response


@router.post("/settings/logout-everywhere")
async def logout_everywhere(
    request: Request, viewer: ViewerDep, session: SessionDep, _form: CheckedForm
) -> Response:
    # Every browser session, this one included, and every access token from a password
    # sign-in; personal API tokens are revoked on their own page.
    await service.end_sign_ins(session, viewer.user)
    response = redirect(
        request, "/login", "You're logged out everywhere: every browser and access token."
    )
    sessions.clear_session_cookie(response, settings_of(request))
    return response
