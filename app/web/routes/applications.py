"""Applications: one page each, create, edit and delete (the list and board: pipeline.py)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.applications import service
from app.applications.schemas import ApplicationCreate, ApplicationPatch
from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.events.service import list_events
from app.interviews.service import list_interviews
from app.models import Application, Event
from app.models.base import utcnow
from app.models.enums import ApplicationStatus
from app.people import main_contact
from app.people.interviewer_service import list_interviewers
from app.people.reference_service import list_references
from app.recommendations.service import list_recommendations
from app.web import next_steps
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import (
    FieldProblems,
    FormState,
    attempt,
    local_datetime,
    payload,
    read_form,
    yes_no,
)
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render
from app.web.timefmt import input_value

router = APIRouter(route_class=TransactionRoute)

ALL = PageParams(limit=200, cursor=None)
NO_ANSWER = "Fill in at least one of their answers, or leave this for later."
STATUS_VALUES = frozenset(s.value for s in ApplicationStatus)
# The form shows every field of ApplicationCreate but these (editing sends an
# ApplicationPatch, which has the same fields). applications/form.html draws each one.
NOT_ON_FORM: Mapping[str, str] = {
    "external_id": "a key for API clients and integrations to find it by, not typed in",
}
CHECKBOXES = ("reference_ids",)
YES_NO = ("second_round_expected",)
LOCAL_TIMES = ("references_requested_at",)
FIELDS = tuple(
    name for name in ApplicationCreate.model_fields if name not in {*NOT_ON_FORM, *CHECKBOXES}
)
# The model parses these from the text as typed (dates and e-mail addresses included).
TEXT_FIELDS = tuple(name for name in FIELDS if name not in {"status", *YES_NO, *LOCAL_TIMES})
# A required field blank on the form stays blank, so the model says it is required.
REQUIRED = frozenset(name for name, f in ApplicationCreate.model_fields.items() if f.is_required())
# ApplicationOut's fields the page doesn't show, and why; applications/detail.html shows
# every other one.
NOT_ON_PAGE: Mapping[str, str] = {
    "reference_ids": "shown as the references' names",
    "source": "which tool entered it doesn't change what to do next",
    "external_id": "another tool's key",
    "created_at": "when it was entered here doesn't change what to do next",
    "updated_at": "the list says when it was last changed",
    "version": "counts edits, for concurrent writes",
}


async def owned_application(
    application_id: str, viewer: ViewerDep, session: SessionDep
) -> Application:
    """Load-or-404 scoped to the signed-in user (someone else's is simply not found)."""
    return await service.get_application(
        session, viewer.user.id, parse_id(application_id, "application")
    )


OwnedApplication = Annotated[Application, Depends(owned_application)]


def _values_of(application: Application, viewer: Viewer) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(getattr(application, name) or "") for name in TEXT_FIELDS}
    values["status"] = application.status
    for name in YES_NO:
        values[name] = {None: "", True: "yes", False: "no"}[getattr(application, name)]
    for name in LOCAL_TIMES:
        values[name] = input_value(getattr(application, name), viewer.tz)
    values["reference_ids"] = [str(r.id) for r in application.references]
    return values


def _input(form: FormState, viewer: Viewer, *, editing: bool) -> dict[str, Any]:
    data = payload(form, TEXT_FIELDS, blank_as_none=editing, keep_blank=REQUIRED)
    data["status"] = form.value("status") or ApplicationStatus.applied.value
    # Blank means "not given" on create and "clear" on edit, as for text.
    given = {name: yes_no(form, name) for name in YES_NO}
    given |= {name: local_datetime(form, name, viewer.tz) for name in LOCAL_TIMES}
    data |= {name: value for name, value in given.items() if editing or value is not None}
    data["reference_ids"] = form.chosen("reference_ids")
    return data


async def _form_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState,
    application: Application | None,
) -> Response:
    references, _ = await list_references(session, viewer.user, ALL)
    title = "Add an application" if application is None else "Edit application"
    return render(
        request,
        "applications/form.html",
        {
            "title": title,
            "section": "applications",
            "form": form,
            "application": application,
            "references": references,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/applications/new")
async def new_application(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    form = FormState(values={name: "" for name in FIELDS} | {"status": "applied"})
    return await _form_page(request, viewer, session, form, None)


@router.post("/applications/new")
async def create_application(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, FIELDS, multi=CHECKBOXES)

    async def create() -> Application:
        data = ApplicationCreate.model_validate(_input(form, viewer, editing=False))
        application = await service.create_application(session, viewer.user, data)
        await main_contact.link_recruiter(session, application)
        return application

    application = await attempt(session, form, create)
    if application is None or form.invalid:
        return await _form_page(request, viewer, session, form, None)
    return redirect(request, f"/applications/{application.id}", "Application added.")


# Their answers to "ask about next steps": once it is asked, the application's page asks
# for them in place (each may stay blank: not every interviewer says).
ANSWER_FIELDS = ("expected_response_by", "follow_up_channel", "second_round_expected")


def _awaits_answer(application: Application, events: Sequence[Event]) -> bool:
    asked = any(e.type == "next_steps_asked" for e in events)
    return asked and all(getattr(application, name) is None for name in ANSWER_FIELDS)


async def _detail_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    application: Application,
    answer: FormState | None = None,
) -> Response:
    now = utcnow()
    interviews, _ = await list_interviews(session, application, ALL)
    interviewers, _ = await list_interviewers(session, application, ALL)
    events, _ = await list_events(session, application, ALL)
    references, _ = await list_references(session, viewer.user, ALL)
    recs = await list_recommendations(
        session, viewer.user, as_of=now, application_id=application.id
    )
    steps = await next_steps.describe(session, viewer.user, recs, viewer.tz, now)
    if answer is None and _awaits_answer(application, events):
        answer = FormState(values={name: "" for name in ANSWER_FIELDS})
    if answer is not None:
        answer.prefix = "answer"
    return render(
        request,
        "applications/detail.html",
        {
            "title": f"{application.company} — {application.role_title}",
            "section": "applications",
            "application": application,
            "interviews": interviews,
            "interviewers": interviewers,
            "events": events,
            "steps": steps,
            "answer_form": answer,
            "asked": any(e.type == "next_steps_asked" for e in events),
            "unlisted_recruiter": main_contact.has_recruiter(application)
            and not any(main_contact.is_recruiter(application, p) for p in interviewers),
            "people": {str(i.id): i.name for i in interviewers},
            "reference_names": {str(r.id): r.name for r in references},
            "interviews_by_id": {str(i.id): i for i in interviews},
            "back": f"/applications/{application.id}",
        },
        viewer=viewer,
        status_code=answer.status_code if answer is not None else 200,
    )


@router.get("/applications/{application_id}")
async def application_page(
    request: Request, viewer: ViewerDep, session: SessionDep, application: OwnedApplication
) -> Response:
    return await _detail_page(request, viewer, session, application)


@router.post("/applications/{application_id}/answer")
async def save_answer(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    """Their answer to "what are the next steps?", from the form the page shows once asked."""
    form = read_form(form_data, ANSWER_FIELDS)

    async def save() -> Application:
        data = payload(form, ANSWER_FIELDS[:2], blank_as_none=False)
        if (second_round := yes_no(form, "second_round_expected")) is not None:
            data["second_round_expected"] = second_round
        if not data:
            raise FieldProblems({"expected_response_by": NO_ANSWER})
        patch = ApplicationPatch.model_validate(data)
        return await service.update_application(session, application, patch)

    await attempt(session, form, save, keep=[application])
    if form.invalid:
        return await _detail_page(request, viewer, session, application, answer=form)
    return redirect(request, f"/applications/{application.id}", "Saved their answer.")


@router.get("/applications/{application_id}/edit")
async def edit_application(
    request: Request, viewer: ViewerDep, session: SessionDep, application: OwnedApplication
) -> Response:
    form = FormState(values=_values_of(application, viewer))
    return await _form_page(request, viewer, session, form, application)


@router.post("/applications/{application_id}/edit")
async def update_application(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS, multi=CHECKBOXES)

    async def update() -> Application:
        data = ApplicationPatch.model_validate(_input(form, viewer, editing=True))
        people = await main_contact.people_of(session, application)
        previous = main_contact.recruiter_person(application, people)
        await service.update_application(session, application, data)
        await main_contact.link_recruiter(session, application, previous=previous)
        return application

    await attempt(session, form, update, keep=[application])
    if form.invalid:
        return await _form_page(request, viewer, session, form, application)
    return redirect(request, f"/applications/{application.id}", "Saved.")


@router.get("/applications/{application_id}/delete")
async def confirm_delete_application(
    request: Request, viewer: ViewerDep, application: OwnedApplication
) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Delete this application?",
        what=f"{application.company} — {application.role_title}",
        consequence="Its interviews, the people you met and its whole timeline are deleted "
        "with it. This can't be undone.",
        action=f"/applications/{application.id}/delete",
        cancel=f"/applications/{application.id}",
        button="Delete application",
    )


@router.post("/applications/{application_id}/delete")
async def delete_application(
    request: Request,
    session: SessionDep,
    application: OwnedApplication,
    _form: CheckedForm,
) -> Response:
    name = f"{application.company} — {application.role_title}"
    await service.delete_application(session, application)
    return redirect(request, "/applications", f"Deleted {name}.")
