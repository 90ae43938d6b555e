"""Settings: integrations, the signed inbound endpoints for ATS-like tools."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.integrations import service
from app.integrations.schemas import IntegrationCreate
from app.models import Integration
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FormState, attempt, read_form
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

LIST_PAGE = PageParams(limit=100, cursor=None)


async def owned_integration(
    integration_id: str, viewer: ViewerDep, session: SessionDep
) -> Integration:
    return await service.get_integration(
        session, viewer.user.id, parse_id(integration_id, "integration")
    )


OwnedIntegration = Annotated[Integration, Depends(owned_integration)]


def inbound_url(request: Request, integration: Integration) -> str:
    """The same URL the API hands out (its route is named receive_inbound)."""
    return str(request.url_for("receive_inbound", integration_id=str(integration.id)))


async def _page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState | None = None,
    created: Integration | None = None,
) -> Response:
    form = form or FormState(values={"name": ""})
    integrations, _ = await service.list_integrations(session, viewer.user, LIST_PAGE)
    return render(
        request,
        "settings/integrations.html",
        {
            "title": "Integrations",
            "section": "settings",
            "tab": "integrations",
            "form": form,
            "integrations": [(i, inbound_url(request, i)) for i in integrations],
            "created": created,
            "created_url": inbound_url(request, created) if created else "",
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/settings/integrations")
async def integrations_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _page(request, viewer, session)


@router.post("/settings/integrations")
async def create_integration(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, ("name",))

    async def create() -> Integration:
        data = IntegrationCreate.model_validate(form.values)
        return await service.create_integration(session, viewer.user, data)

    created = await attempt(session, form, create)
    if created is None or form.invalid:
        return await _page(request, viewer, session, form)
    # The secret is shown in this response only (the page is never cached).
    return await _page(request, viewer, session, created=created)


@router.get("/settings/integrations/{integration_id}/delete")
async def confirm_delete_integration(
    request: Request, viewer: ViewerDep, integration: OwnedIntegration
) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Delete this integration?",
        what=integration.name,
        consequence="Its inbound URL stops working at once. The applications and "
        "interviews it created stay. This can't be undone.",
        action=f"/settings/integrations/{integration.id}/delete",
        cancel="/settings/integrations",
        button="Delete integration",
        section="settings",
    )


@router.post("/settings/integrations/{integration_id}/delete")
async def delete_integration(
    request: Request, session: SessionDep, integration: OwnedIntegration, _form: CheckedForm
) -> Response:
    name = integration.name
    await service.delete_integration(session, integration)
    return redirect(request, "/settings/integrations", f"Deleted “{name}”.")
