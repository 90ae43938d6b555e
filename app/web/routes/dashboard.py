"""The dashboard of next steps, and one-click done / snooze / dismiss."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.applications.service import has_applications
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import NotFound
from app.models.base import utcnow
from app.recommendations.service import (
    complete_recommendation,
    dismiss_recommendation,
    find_open_recommendation,
    list_recommendations,
    snooze_recommendation,
)
from app.web import next_steps, timefmt
from app.web.deps import CheckedForm, ViewerDep
from app.web.forms import FormState, attempt, local_datetime
from app.web.routes.common import redirect, safe_next
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

GONE = "That step is no longer open: it was already done, dismissed or has changed."


@router.get("/")
async def dashboard(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    show: Annotated[Literal["overdue", "today", "upcoming"] | None, Query()] = None,
) -> Response:
    """`?show=overdue` (or today, upcoming) lists that whole group; otherwise each is capped."""
    now = utcnow()
    recs = await list_recommendations(session, viewer.user, as_of=now)
    groups = await next_steps.dashboard_groups(
        session, viewer.user, recs, viewer.tz, now, show_all=show
    )
    return render(
        request,
        "dashboard.html",
        {
            "title": "Next steps",
            "section": "next",
            "groups": groups,
            "show": show,
            "back": f"/?show={show}" if show else "/",
            "has_applications": groups.empty and await has_applications(session, viewer.user.id),
        },
        viewer=viewer,
    )


def _target(form: CheckedForm) -> tuple[str, str]:
    rec_id = form.get("recommendation_id")
    return (rec_id if isinstance(rec_id, str) else ""), safe_next(form.get("next"))


async def _act(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    form: CheckedForm,
    action: Literal["done", "snooze", "dismiss"],
) -> Response:
    rec_id, back = _target(form)
    now = utcnow()
    # Done may say when it happened and add a note (the "Done, with details" form).
    details = {name: form.get(name) for name in ("occurred_at", "notes")}
    state = FormState(
        values={"recommendation_id": rec_id}
        | {k: v for k, v in details.items() if isinstance(v, str)}
    )
    message = title = ""

    async def run() -> None:
        nonlocal message, title
        found = await find_open_recommendation(session, viewer.user, rec_id, as_of=now)
        title = found.recommendation.title
        if action == "done":
            notes = state.value("notes").strip() or None
            occurred_at = local_datetime(state, "occurred_at", viewer.tz)
            await complete_recommendation(
                session, viewer.user, found, as_of=now, occurred_at=occurred_at, notes=notes
            )
            message = f"Done: “{title}”. It's on the timeline."
            if found.recommendation.rule == "ask_next_steps":
                message += " Their answer goes on the application's page, which now asks for it."
        elif action == "dismiss":
            await dismiss_recommendation(session, viewer.user, found)
            message = f"Dismissed “{title}”."
        else:
            until = (
                timefmt.next_week_morning(viewer.tz, now)
                if form.get("until") == "week"
                else timefmt.tomorrow_morning(viewer.tz, now)
            )
            await snooze_recommendation(session, viewer.user, found, until=until)
            when = timefmt.format_datetime(until, viewer.tz, now)
            message = f"Snoozed “{title}” until {when}."

    try:
        await attempt(session, state, run)
    except NotFound:
        return redirect(request, back, GONE, "warning")
    if state.invalid and title and action == "done":
        # What was typed in "Done, with details" needs fixing: the form again, on its own
        # page, with the problem next to the field (nothing was recorded).
        context = {"title": "Mark done", "step_title": title, "form": state, "back": back}
        return render(
            request, "next_steps/done.html", context, viewer=viewer, status_code=state.status_code
        )
    if state.invalid:
        problems = list(state.summary) + list(state.errors.values())
        return redirect(request, back, " ".join(problems) or GONE, "warning")
    return redirect(request, back, message)


@router.post("/next-steps/done")
async def done(
    request: Request, session: SessionDep, viewer: ViewerDep, form: CheckedForm
) -> Response:
    return await _act(request, session, viewer, form, "done")


@router.post("/next-steps/snooze")
async def snooze(
    request: Request, session: SessionDep, viewer: ViewerDep, form: CheckedForm
) -> Response:
    return await _act(request, session, viewer, form, "snooze")


@router.post("/next-steps/dismiss")
async def dismiss(
    request: Request, session: SessionDep, viewer: ViewerDep, form: CheckedForm
) -> Response:
    return await _act(request, session, viewer, form, "dismiss")
