"""Applications as a list (soonest next step first) and as a board, and moving a card."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.applications import service
from app.applications.schemas import ApplicationPatch
from app.core.db import SessionDep, TransactionRoute
from app.core.pagination import PageParams
from app.models import Application
from app.models.base import utcnow
from app.models.enums import ApplicationStatus
from app.policy import Recommendation
from app.recommendations.service import list_recommendations
from app.web import labels, next_steps
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.forms import FormState, attempt
from app.web.routes.applications import OwnedApplication
from app.web.routes.common import redirect
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

PAGE_SIZE = 25
# Sorting by the next step needs every application at hand; past this many the page
# says it shows only the most recently added.
MOST = PageParams(limit=2000, cursor=None)
STATUS_VALUES = frozenset(s.value for s in ApplicationStatus)
Sort = Literal["next", "newest"]


@dataclass(frozen=True, slots=True)
class Row:
    application: Application
    step: Recommendation | None
    due_text: str


async def _rows(
    session: SessionDep, viewer: Viewer, status: str = "", q: str = ""
) -> tuple[list[Row], bool]:
    """The user's applications (filtered) with their next steps: one computation of the
    steps for the page, not one per application. Also: whether the list was cut short."""
    now = utcnow()
    applications, more = await service.list_applications(
        session,
        viewer.user,
        MOST,
        statuses=[ApplicationStatus(status)] if status in STATUS_VALUES else [],
        active=True if status == "active" else None,
        q=q or None,
    )
    soonest = next_steps.soonest_by_application(
        await list_recommendations(session, viewer.user, as_of=now)
    )
    rows = [_row(a, soonest.get(str(a.id)), viewer.tz, now) for a in applications]
    return rows, more is not None


def _row(application: Application, step: Recommendation | None, tz: ZoneInfo, now: datetime) -> Row:
    return Row(application, step, next_steps.due_text(step, tz, now) if step else "")


def _by_next_due(rows: Sequence[Row]) -> list[Row]:
    """Soonest next step first; applications with none last, in the order given."""
    dated = sorted((r.step.due_at, i) for i, r in enumerate(rows) if r.step is not None)
    return [rows[i] for _, i in dated] + [r for r in rows if r.step is None]


@router.get("/applications")
async def application_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    status: str = "",
    q: str = "",
    sort: Sort = "next",
    page: int = 1,
) -> Response:
    q = q.strip()[:200]
    rows, cut_short = await _rows(session, viewer, status, q)
    ordered = _by_next_due(rows) if sort == "next" else rows
    page = max(page, 1)
    shown = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render(
        request,
        "applications/list.html",
        {
            "title": "Applications",
            "section": "applications",
            "rows": shown,
            "counts": await service.count_by_status(session, viewer.user.id),
            "status": status,
            "q": q,
            "sort": sort,
            "next_page": page + 1 if len(ordered) > page * PAGE_SIZE else None,
            "cut_short": cut_short,
            "filtered": bool(status or q),
        },
        viewer=viewer,
    )


@router.get("/applications/board")
async def board(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _board_page(request, viewer, session)


async def _board_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    problem: tuple[str, str] | None = None,
) -> Response:
    """`problem`: the card (application id) whose move was refused, and why."""
    rows, cut_short = await _rows(session, viewer)
    columns: dict[str, list[Row]] = {s: [] for s in labels.STATUS}
    for row in _by_next_due(rows):
        columns[row.application.status].append(row)
    return render(
        request,
        "applications/board.html",
        {
            "title": "Board",
            "section": "applications",
            "columns": columns,
            "cut_short": cut_short,
            "problem": problem,
        },
        viewer=viewer,
        status_code=422 if problem else 200,
    )


@router.post("/applications/{application_id}/status")
async def move(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    application: OwnedApplication,
    form_data: CheckedForm,
) -> Response:
    """A card moved to another column: a status change, like editing the application."""
    raw = form_data.get("status")
    form = FormState(values={"status": raw if isinstance(raw, str) else ""})

    async def change() -> Application:
        data = ApplicationPatch.model_validate({"status": form.value("status")})
        return await service.update_application(session, application, data)

    await attempt(session, form, change, keep=[application])
    if form.invalid:
        why = form.errors.get("status") or "Choose one of the statuses."
        return await _board_page(request, viewer, session, (str(application.id), why))
    status = labels.label(labels.STATUS, application.status)
    return redirect(request, "/applications/board", f"{application.company}: now “{status}”.")
