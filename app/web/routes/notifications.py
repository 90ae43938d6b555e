"""Settings: which mail to get, a test mail, the last deliveries; and one-click unsubscribe."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.models import User
from app.models.base import utcnow
from app.notifications import service
from app.notifications.schemas import NotificationSettings, NotificationSettingsOut
from app.notifications.tokens import read_unsubscribe_token
from app.web.deps import CheckedForm, Viewer, ViewerDep, settings_of
from app.web.forms import FormState, attempt, read_form
from app.web.routes.common import redirect
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

FIELDS = ("digest", "digest_time", "alerts")
KIND_NAMES = {"digest": "the daily digest", "alerts": "due-now alerts"}


async def _page(
    request: Request, viewer: Viewer, session: SessionDep, form: FormState | None = None
) -> Response:
    user = viewer.user
    form = form or FormState(
        values={
            "digest": "yes" if user.notify_digest else "",
            "digest_time": user.digest_time,
            "alerts": "yes" if user.notify_alerts else "",
        }
    )
    return render(
        request,
        "settings/notifications.html",
        {
            "title": "Notifications",
            "section": "settings",
            "tab": "notifications",
            "form": form,
            "attempts": await service.recent_attempts(session, user.id),
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/settings/notifications")
async def notifications_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _page(request, viewer, session)


@router.post("/settings/notifications")
async def update_notifications(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, FIELDS)

    async def update() -> NotificationSettingsOut:
        data = NotificationSettings.model_validate(
            {
                "digest": form.value("digest") == "yes",
                "digest_time": form.value("digest_time"),
                "alerts": form.value("alerts") == "yes",
            }
        )
        return await service.update_settings(session, viewer.user, data)

    await attempt(session, form, update, keep=[viewer.user])
    if form.invalid:
        return await _page(request, viewer, session, form)
    return redirect(request, "/settings/notifications", "Notification settings saved.")


@router.post("/settings/notifications/test")
async def send_test(
    request: Request, viewer: ViewerDep, session: SessionDep, _form: CheckedForm
) -> Response:
    await service.queue_test_mail(session, settings_of(request), viewer.user, now=utcnow())
    return redirect(
        request,
        "/settings/notifications",
        f"A test digest is on its way to {viewer.user.email}.",
    )


# One-click unsubscribe (RFC 8058). No login and no CSRF token: the signed link is the
# authority, and it can only turn one kind of mail off for one user.


def _unsubscribe_page(
    request: Request, token: str, kind: str, *, done: bool, status_code: int = 200
) -> Response:
    return render(
        request,
        "unsubscribe.html",
        {
            "title": "Unsubscribe",
            "token": token,
            "what": KIND_NAMES.get(kind, ""),
            "done": done,
            "valid": bool(kind),
        },
        status_code=status_code,
    )


@router.get("/unsubscribe/{token}")
async def unsubscribe_page(request: Request, session: SessionDep, token: str) -> Response:
    found = read_unsubscribe_token(settings_of(request).secret_key, token)
    if found is None or await session.get(User, found.user_id) is None:
        return _unsubscribe_page(request, token, "", done=False, status_code=404)
    return _unsubscribe_page(request, token, found.kind, done=False)


@router.post("/unsubscribe/{token}")
async def unsubscribe(request: Request, session: SessionDep, token: str) -> Response:
    found = read_unsubscribe_token(settings_of(request).secret_key, token)
    if found is None or await service.turn_off(session, found.user_id, found.kind) is None:
        return _unsubscribe_page(request, token, "", done=False, status_code=404)
    return _unsubscribe_page(request, token, found.kind, done=True)
