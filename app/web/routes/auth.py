"""Sign up, log in, log out."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth import service, throttle
from app.auth.schemas import RegisterIn
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import TooManyRequests
from app.core.ratelimit import AuthRateLimit, client_address
from app.models import User
from app.models.base import utcnow
from app.web import csrf, sessions
from app.web.deps import AnonymousForm, CheckedForm, MaybeViewer, ViewerDep, settings_of
from app.web.forms import FormState, attempt, read_form
from app.web.routes.common import redirect, safe_next
from app.web.templating import render
from app.web.timezones import timezone_choices

router = APIRouter(route_class=TransactionRoute)

SIGNUP_FIELDS = ("name", "email", "password", "timezone")


def _anonymous_page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page with a form for visitors without a session (signed double-submit CSRF)."""
    settings = settings_of(request)
    token, new_cookie = csrf.anonymous_token(request, settings)
    headers = {"Retry-After": context.pop("retry_after")} if "retry_after" in context else None
    response = render(
        request,
        template,
        {**context, "csrf_token": token},
        status_code=status_code,
        headers=headers,
    )
    if new_cookie is not None:
        csrf.set_anonymous_cookie(response, new_cookie, settings)
    return response


async def _signed_in(
    request: Request, session: SessionDep, user: User, next_path: str, flash: str
) -> Response:
    # A fresh session id at every login, so a planted cookie can't be taken over;
    # whatever session this browser had before ends here.
    previous = request.cookies.get(sessions.COOKIE_NAME)
    if previous:
        await sessions.end_session_of_cookie(session, previous)
    _, cookie_value = await sessions.start_session(session, user)
    response = redirect(request, next_path, flash)
    settings = settings_of(request)
    sessions.set_session_cookie(response, cookie_value, settings)
    response.delete_cookie(csrf.ANON_COOKIE, path="/")
    return response


@router.get("/login")
async def login_page(request: Request, viewer: MaybeViewer, next: str = "/") -> Response:
    if viewer is not None:
        return redirect(request, safe_next(next))
    form = FormState(values={"email": "", "next": safe_next(next)})
    return _anonymous_page(request, "auth/login.html", {"form": form, "title": "Log in"})


@router.post("/login")
async def login(
    request: Request, _rate: AuthRateLimit, session: SessionDep, form_data: AnonymousForm
) -> Response:
    form = read_form(form_data, ("email", "next"))
    password = form_data.get("password")
    password = password if isinstance(password, str) else ""
    next_path = safe_next(form.value("next"))
    context: dict[str, Any] = {"form": form, "title": "Log in"}
    email = service.normalise_email(form.value("email"))
    if not email or not password:
        if not email:
            form.errors["email"] = "Enter your email address."
        if not password:
            form.errors["password"] = "Enter your password."
        return _anonymous_page(request, "auth/login.html", context, 422)
    client = client_address(request)
    now = utcnow()
    try:
        await throttle.refuse_if_throttled(session, email, client, now)
    except TooManyRequests as exc:
        form.summary.append(exc.detail)
        context["retry_after"] = exc.headers["Retry-After"]
        return _anonymous_page(request, "auth/login.html", context, 429)
    user = await service.authenticate(session, email, password)
    if user is None:
        await throttle.record_failure(session, email, client, now)
        # The failure must count even though nothing else of this request is kept.
        await session.commit()
        form.summary.append("The email or password is wrong.")
        return _anonymous_page(request, "auth/login.html", context, 401)
    await throttle.forget_failures(session, email, client)
    return await _signed_in(request, session, user, next_path, f"Welcome back, {user.name}.")


@router.get("/signup")
async def signup_page(request: Request, viewer: MaybeViewer) -> Response:
    if viewer is not None:
        return redirect(request, "/")
    if not settings_of(request).allow_signup:
        return _signup_closed(request)
    form = FormState(values={"name": "", "email": "", "timezone": "UTC"})
    return _signup_page(request, form)


def _signup_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    context = {"form": form, "title": "Create your account", "timezones": timezone_choices()}
    return _anonymous_page(request, "auth/signup.html", context, status_code)


def _signup_closed(request: Request) -> Response:
    return render(
        request,
        "error.html",
        {
            "title": "Sign-up is closed",
            "message": "New accounts can't be created here. Ask whoever runs this server.",
            "status": 403,
        },
        status_code=403,
    )


@router.post("/signup")
async def signup(
    request: Request, _rate: AuthRateLimit, session: SessionDep, form_data: AnonymousForm
) -> Response:
    if not settings_of(request).allow_signup:
        return _signup_closed(request)
    form = read_form(form_data, SIGNUP_FIELDS)

    async def register() -> User:
        return await service.register(session, RegisterIn.model_validate(form.values))

    user = await attempt(session, form, register)
    form.values["password"] = ""  # never echo a password back into the page
    if user is None or form.invalid:
        return _signup_page(request, form, form.status_code)
    return await _signed_in(request, session, user, "/", f"Welcome to Followup, {user.name}.")


@router.post("/logout")
async def logout(
    request: Request, session: SessionDep, viewer: ViewerDep, _form: CheckedForm
) -> Response:
    await sessions.end_session(session, viewer.web_session)
    response = redirect(request, "/login", "You're logged out.")
    sessions.clear_session_cookie(response, settings_of(request))
    return response
