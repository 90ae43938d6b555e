"""Your references: list, add, edit, delete."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.models import Reference
from app.people import reference_service as service
from app.people.schemas import ReferenceCreate, ReferencePatch
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FormState, attempt, payload, read_form
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

PAGE_SIZE = 50
FIELDS = ("name", "relationship", "company", "title", "email", "phone", "notes")


async def owned_reference(reference_id: str, viewer: ViewerDep, session: SessionDep) -> Reference:
    return await service.get_reference(session, viewer.user.id, parse_id(reference_id, "reference"))


OwnedReference = Annotated[Reference, Depends(owned_reference)]


def _form_page(
    request: Request, viewer: Viewer, form: FormState, reference: Reference | None
) -> Response:
    return render(
        request,
        "references/form.html",
        {
            "title": "Add a reference" if reference is None else f"Edit {reference.name}",
            "section": "references",
            "form": form,
            "reference": reference,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


def _input(form: FormState, *, editing: bool) -> dict[str, Any]:
    return payload(form, FIELDS, blank_as_none=editing, keep_blank={"name"})


@router.get("/references")
async def reference_list(
    request: Request, viewer: ViewerDep, session: SessionDep, cursor: str | None = None
) -> Response:
    rows, next_cursor = await service.list_references(
        session, viewer.user, PageParams(limit=PAGE_SIZE, cursor=cursor)
    )
    return render(
        request,
        "references/list.html",
        {
            "title": "References",
            "section": "references",
            "references": rows,
            "next_cursor": next_cursor,
        },
        viewer=viewer,
    )


@router.get("/references/new")
async def new_reference(request: Request, viewer: ViewerDep) -> Response:
    return _form_page(request, viewer, FormState(values={n: "" for n in FIELDS}), None)


@router.post("/references/new")
async def create_reference(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, FIELDS)

    async def create() -> Reference:
        data = ReferenceCreate.model_validate(_input(form, editing=False))
        return await service.create_reference(session, viewer.user, data)

    reference = await attempt(session, form, create)
    if reference is None or form.invalid:
        return _form_page(request, viewer, form, None)
    return redirect(request, "/references", f"Added {reference.name}.")


@router.get("/references/{reference_id}/edit")
async def edit_reference(
    request: Request, viewer: ViewerDep, reference: OwnedReference
) -> Response:
    values = {n: str(getattr(reference, n) or "") for n in FIELDS}
    return _form_page(request, viewer, FormState(values=dict(values)), reference)


@router.post("/references/{reference_id}/edit")
async def update_reference(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    reference: OwnedReference,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS)

    async def update() -> Reference:
        data = ReferencePatch.model_validate(_input(form, editing=True))
        return await service.update_reference(session, reference, data)

    await attempt(session, form, update, keep=[reference])
    if form.invalid:
        return _form_page(request, viewer, form, reference)
    return redirect(request, "/references", "Saved.")


@router.get("/references/{reference_id}/delete")
async def confirm_delete_reference(
    request: Request, viewer: ViewerDep, reference: OwnedReference
) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Delete this reference?",
        what=reference.name,
        consequence="They are also taken off every application you listed them on. "
        "This can't be undone.",
        action=f"/references/{reference.id}/delete",
        cancel="/references",
        button="Delete reference",
        section="references",
    )


@router.post("/references/{reference_id}/delete")
async def delete_reference(
    request: Request, session: SessionDep, reference: OwnedReference, _form: CheckedForm
) -> Response:
    name = reference.name
    await service.delete_reference(session, reference)
    return redirect(request, "/references", f"Deleted {name}.")
