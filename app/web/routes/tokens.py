"""Settings: personal API tokens (shown once when created, revocable at once)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth import service
from app.auth.schemas import ApiTokenIn
from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.models import ApiToken
from app.models.base import utcnow
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FieldProblems, FormState, attempt, read_form
from app.web.routes.common import redirect
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

LIFETIMES = {"never": None, "30": 30, "90": 90, "365": 365}


async def _page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState | None = None,
    created: tuple[ApiToken, str] | None = None,
) -> Response:
    form = form or FormState(values={"name": "", "expires": "never"})
    tokens = await service.list_personal_tokens(session, viewer.user)
    return render(
        request,
        "settings/tokens.html",
        {
            "title": "API tokens",
            "section": "settings",
            "tab": "tokens",
            "form": form,
            "tokens": tokens,
            "created": created,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/settings/tokens")
async def tokens_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _page(request, viewer, session)


@router.post("/settings/tokens")
async def create_token(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, ("name", "expires"))

    async def create() -> tuple[ApiToken, str]:
        if form.value("expires") not in LIFETIMES:
            raise FieldProblems({"expires": "Choose one of the options."})
        days = LIFETIMES[form.value("expires")]
        expires_at = None if days is None else utcnow() + timedelta(days=days)
        data = ApiTokenIn.model_validate({"name": form.value("name"), "expires_at": expires_at})
        return await service.create_personal_token(session, viewer.user, data)

    created = await attempt(session, form, create)
    if created is None or form.invalid:
        return await _page(request, viewer, session, form)
    # Shown in this response only: the page is not cached and the token is never stored.
    return await _page(request, viewer, session, created=created)


@router.post("/settings/tokens/revoke-all")
async def revoke_all_tokens(
    request: Request, viewer: ViewerDep, session: SessionDep, _form: CheckedForm
) -> Response:
    await service.revoke_personal_tokens(session, viewer.user)
    return redirect(request, "/settings/tokens", "Revoked every token. They stop working at once.")


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    token_id: str,
    _form: CheckedForm,
) -> Response:
    row = await service.get_personal_token(session, viewer.user, parse_id(token_id, "token"))
    name = row.name
    await service.revoke_personal_token(session, viewer.user, row.id)
    return redirect(request, "/settings/tokens", f"Revoked “{name}”. It stops working at once.")
