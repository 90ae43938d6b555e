"""The timeline: log something you did or heard, or delete an entry."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.applications.service import get_application
from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.events import service
from app.events.schemas import EventCreate
from app.interviews.service import list_interviews
from app.models import Application, Event
from app.people.interviewer_service import list_interviewers
from app.people.reference_service import list_references
from app.web import labels
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FormState, attempt, local_datetime, payload, read_form
from app.web.routes.applications import OwnedApplication
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render
from app.web.timefmt import format_datetime

router = APIRouter(route_class=TransactionRoute)

ALL = PageParams(limit=200, cursor=None)
TEXT_FIELDS = ("type", "channel", "response", "interviewer_id", "interview_id", "reference_id")
FIELDS = (*TEXT_FIELDS, "occurred_at", "notes")


async def owned_event(event_id: str, viewer: ViewerDep, session: SessionDep) -> Event:
    return await service.get_event(session, viewer.user.id, parse_id(event_id, "event"))


OwnedEvent = Annotated[Event, Depends(owned_event)]


def _input(form: FormState, viewer: Viewer) -> dict[str, Any]:
    data = payload(form, (*TEXT_FIELDS, "notes"), blank_as_none=False, keep_blank={"type"})
    occurred_at = local_datetime(form, "occurred_at", viewer.tz)
    if occurred_at is not None:
        data["occurred_at"] = occurred_at
    return data


async def _form_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState,
    application: Application,
) -> Response:
    interviewers, _ = await list_interviewers(session, application, ALL)
    interviews, _ = await list_interviews(session, application, ALL)
    references, _ = await list_references(session, viewer.user, ALL)
    return render(
        request,
        "events/form.html",
        {
            "title": "Log a follow-up",
            "section": "applications",
            "form": form,
            "application": application,
            "interviewers": interviewers,
            "interviews": interviews,
            "references": references,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/applications/{application_id}/events/new")
async def new_event(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    type: str = "",
) -> Response:
    values: dict[str, Any] = {name: "" for name in FIELDS}
    values["type"] = type if type in labels.RECORDABLE_EVENT_TYPE else ""
    # Left empty, not prefilled: a prefilled "now" is cut to the minute, so an event logged
    # right after a one-click Done (stored to the microsecond) sorted before it. Empty means
    # "now" to the server, to the microsecond.
    return await _form_page(request, viewer, session, FormState(values=values), application)


@router.post("/applications/{application_id}/events/new")
async def create_event(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS)

    async def create() -> tuple[Event, list[str]]:
        data = EventCreate.model_validate(_input(form, viewer))
        return await service.record_event_with_warnings(session, application, data)

    result = await attempt(session, form, create, keep=[application])
    if result is None or form.invalid:
        return await _form_page(request, viewer, session, form, application)
    _, warnings = result
    back = f"/applications/{application.id}"
    if warnings:
        return redirect(request, back, "Logged. Note: " + " ".join(warnings), "warning")
    return redirect(request, back, "Logged.")


@router.get("/events/{event_id}/delete")
async def confirm_delete_event(
    request: Request, viewer: ViewerDep, session: SessionDep, event: OwnedEvent
) -> Response:
    application = await get_application(session, viewer.user.id, event.application_id)
    what = labels.label(labels.EVENT_TYPE, event.type)
    return confirm_page(
        request,
        viewer,
        title="Delete this timeline entry?",
        what=f"{what}, {format_datetime(event.occurred_at, viewer.tz)} ({application.company})",
        consequence="Next steps it completed may open again. This can't be undone.",
        action=f"/events/{event.id}/delete",
        cancel=f"/applications/{event.application_id}",
        button="Delete entry",
    )


@router.post("/events/{event_id}/delete")
async def delete_event(
    request: Request, session: SessionDep, event: OwnedEvent, _form: CheckedForm
) -> Response:
    application_id = event.application_id
    await service.delete_event(session, event)
    return redirect(request, f"/applications/{application_id}", "Entry deleted.")
