"""The people met during an application: add, edit, delete."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.applications.service import get_application
from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.models import Application, Interviewer
from app.people import interviewer_service as service
from app.people import main_contact
from app.people.schemas import InterviewerCreate, InterviewerPatch
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FormState, attempt, payload, read_form
from app.web.routes.applications import OwnedApplication
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

TEXT_FIELDS = ("name", "title", "email", "linkedin_url", "phone", "notes")
FIELDS = (*TEXT_FIELDS, "is_main_contact")


async def owned_interviewer(
    interviewer_id: str, viewer: ViewerDep, session: SessionDep
) -> Interviewer:
    return await service.get_interviewer(
        session, viewer.user.id, parse_id(interviewer_id, "interviewer")
    )


OwnedInterviewer = Annotated[Interviewer, Depends(owned_interviewer)]


def _input(form: FormState, *, editing: bool) -> dict[str, Any]:
    data = payload(form, TEXT_FIELDS, blank_as_none=editing, keep_blank={"name"})
    data["is_main_contact"] = form.value("is_main_contact") == "yes"
    return data


def _form_page(
    request: Request,
    viewer: Viewer,
    form: FormState,
    application: Application,
    interviewer: Interviewer | None,
) -> Response:
    return render(
        request,
        "interviewers/form.html",
        {
            "title": "Add a person" if interviewer is None else f"Edit {interviewer.name}",
            "section": "applications",
            "form": form,
            "application": application,
            "interviewer": interviewer,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/applications/{application_id}/interviewers/new")
async def new_interviewer(
    request: Request, viewer: ViewerDep, application: OwnedApplication
) -> Response:
    form = FormState(values={name: "" for name in FIELDS})
    return _form_page(request, viewer, form, application, None)


@router.post("/applications/{application_id}/interviewers/new")
async def create_interviewer(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS)

    async def create() -> Interviewer:
        data = InterviewerCreate.model_validate(_input(form, editing=False))
        interviewer = await service.create_interviewer(session, application, data)
        await main_contact.follow_person(session, application, interviewer, was_recruiter=False)
        return interviewer

    interviewer = await attempt(session, form, create, keep=[application])
    if interviewer is None or form.invalid:
        return _form_page(request, viewer, form, application, None)
    return redirect(request, f"/applications/{application.id}", f"Added {interviewer.name}.")


@router.get("/interviewers/{interviewer_id}/edit")
async def edit_interviewer(
    request: Request, viewer: ViewerDep, session: SessionDep, interviewer: OwnedInterviewer
) -> Response:
    application = await get_application(session, viewer.user.id, interviewer.application_id)
    values: dict[str, Any] = {n: str(getattr(interviewer, n) or "") for n in TEXT_FIELDS}
    values["is_main_contact"] = "yes" if interviewer.is_main_contact else ""
    return _form_page(request, viewer, FormState(values=values), application, interviewer)


@router.post("/interviewers/{interviewer_id}/edit")
async def update_interviewer(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    interviewer: OwnedInterviewer,
    form_data: CheckedForm,
) -> Response:
    application = await get_application(session, viewer.user.id, interviewer.application_id)
    form = read_form(form_data, FIELDS)

    async def update() -> Interviewer:
        data = InterviewerPatch.model_validate(_input(form, editing=True))
        was_recruiter = interviewer.is_main_contact and main_contact.is_recruiter(
            application, interviewer
        )
        await service.update_interviewer(session, interviewer, data)
        await main_contact.follow_person(
            session, application, interviewer, was_recruiter=was_recruiter
        )
        return interviewer

    await attempt(session, form, update, keep=[interviewer, application])
    if form.invalid:
        return _form_page(request, viewer, form, application, interviewer)
    return redirect(request, f"/applications/{application.id}", "Saved.")


@router.get("/interviewers/{interviewer_id}/delete")
async def confirm_delete_interviewer(
    request: Request, viewer: ViewerDep, interviewer: OwnedInterviewer
) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Remove this person?",
        what=interviewer.name,
        consequence="They are removed from this application and its interviews; the "
        "timeline keeps what you sent them."
        + (" The application will have no main contact." if interviewer.is_main_contact else "")
        + " This can't be undone.",
        action=f"/interviewers/{interviewer.id}/delete",
        cancel=f"/applications/{interviewer.application_id}",
        button="Remove person",
    )


@router.post("/interviewers/{interviewer_id}/delete")
async def delete_interviewer(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    interviewer: OwnedInterviewer,
    _form: CheckedForm,
) -> Response:
    application_id, name = interviewer.application_id, interviewer.name
    application = await get_application(session, viewer.user.id, application_id)
    await main_contact.forget_person(session, application, interviewer)
    await service.delete_interviewer(session, interviewer)
    return redirect(request, f"/applications/{application_id}", f"Removed {name}.")
