"""Interviews of an application: add, edit, delete. Times are typed in the user's timezone."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.applications.service import get_application
from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.interviews import service
from app.interviews.schemas import InterviewCreate, InterviewPatch
from app.models import Application, Interview
from app.people.interviewer_service import list_interviewers
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FieldProblems, FormState, attempt, local_datetime, payload, read_form
from app.web.routes.applications import OwnedApplication
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render
from app.web.timefmt import format_datetime, input_value

router = APIRouter(route_class=TransactionRoute)

TEXT_FIELDS = ("kind", "round", "topics", "mutual_interests", "notes")
FIELDS = ("starts_at", "ends_at", *TEXT_FIELDS)


async def owned_interview(interview_id: str, viewer: ViewerDep, session: SessionDep) -> Interview:
    return await service.get_interview(session, viewer.user.id, parse_id(interview_id, "interview"))


OwnedInterview = Annotated[Interview, Depends(owned_interview)]


def _input(form: FormState, viewer: Viewer, *, editing: bool) -> dict[str, Any]:
    data = payload(form, TEXT_FIELDS, blank_as_none=editing)
    starts_at = local_datetime(form, "starts_at", viewer.tz)
    ends_at = local_datetime(form, "ends_at", viewer.tz)
    if starts_at is None:
        raise FieldProblems({"starts_at": "Enter when it starts."})
    if ends_at is not None and ends_at <= starts_at:
        raise FieldProblems({"ends_at": "The end must be after the start."})
    data["starts_at"] = starts_at
    if ends_at is not None:
        data["ends_at"] = ends_at
    elif editing:
        data["ends_at"] = starts_at + service.DEFAULT_LENGTH
    data["interviewer_ids"] = form.chosen("interviewer_ids")
    return data


async def _form_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState,
    application: Application,
    interview: Interview | None,
) -> Response:
    interviewers, _ = await list_interviewers(
        session, application, PageParams(limit=200, cursor=None)
    )
    return render(
        request,
        "interviews/form.html",
        {
            "title": "Add an interview" if interview is None else "Edit interview",
            "section": "applications",
            "form": form,
            "application": application,
            "interview": interview,
            "interviewers": interviewers,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/applications/{application_id}/interviews/new")
async def new_interview(
    request: Request, viewer: ViewerDep, session: SessionDep, application: OwnedApplication
) -> Response:
    form = FormState(values={name: "" for name in FIELDS})
    return await _form_page(request, viewer, session, form, application, None)


@router.post("/applications/{application_id}/interviews/new")
async def create_interview(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS, multi=("interviewer_ids",))

    async def create() -> Interview:
        data = InterviewCreate.model_validate(_input(form, viewer, editing=False))
        return await service.create_interview(session, application, data)

    await attempt(session, form, create, keep=[application])
    if form.invalid:
        return await _form_page(request, viewer, session, form, application, None)
    return redirect(request, f"/applications/{application.id}", "Interview added.")


@router.get("/interviews/{interview_id}/edit")
async def edit_interview(
    request: Request, viewer: ViewerDep, session: SessionDep, interview: OwnedInterview
) -> Response:
    application = await get_application(session, viewer.user.id, interview.application_id)
    values: dict[str, Any] = {name: str(getattr(interview, name) or "") for name in TEXT_FIELDS}
    values["starts_at"] = input_value(interview.starts_at, viewer.tz)
    values["ends_at"] = input_value(interview.ends_at, viewer.tz)
    values["interviewer_ids"] = [str(i.id) for i in interview.interviewers]
    form = FormState(values=values)
    return await _form_page(request, viewer, session, form, application, interview)


@router.post("/interviews/{interview_id}/edit")
async def update_interview(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    interview: OwnedInterview,
    form_data: CheckedForm,
) -> Response:
    application = await get_application(session, viewer.user.id, interview.application_id)
    form = read_form(form_data, FIELDS, multi=("interviewer_ids",))

    async def update() -> Interview:
        data = InterviewPatch.model_validate(_input(form, viewer, editing=True))
        return await service.update_interview(session, interview, data)

    await attempt(session, form, update, keep=[interview, application])
    if form.invalid:
        return await _form_page(request, viewer, session, form, application, interview)
    return redirect(request, f"/applications/{application.id}", "Interview saved.")


@router.get("/interviews/{interview_id}/delete")
async def confirm_delete_interview(
    request: Request, viewer: ViewerDep, interview: OwnedInterview
) -> Response:
    when = format_datetime(interview.starts_at, viewer.tz)
    return confirm_page(
        request,
        viewer,
        title="Delete this interview?",
        what=f"The interview on {when}",
        consequence="The people you met stay on the application; events that mention "
        "this interview stay on the timeline. This can't be undone.",
        action=f"/interviews/{interview.id}/delete",
        cancel=f"/applications/{interview.application_id}",
        button="Delete interview",
    )


@router.post("/interviews/{interview_id}/delete")
async def delete_interview(
    request: Request, session: SessionDep, interview: OwnedInterview, _form: CheckedForm
) -> Response:
    application_id = interview.application_id
    await service.delete_interview(session, interview)
    return redirect(request, f"/applications/{application_id}", "Interview deleted.")
