"""Progress: how the search is going, in figures drawn on the server (SVG and tables)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.models import Application, Event
from app.models.base import utcnow
from app.models.enums import EventType
from app.web import labels, timefmt
from app.web.deps import ViewerDep
from app.web.progress import FOLLOW_UPS, ApplicationFacts, EventFacts, progress
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

COUNTED = sorted({*FOLLOW_UPS, EventType.reply_received, EventType.status_changed})


@router.get("/progress")
async def progress_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    """Two queries, whatever the account's size: applications, then the events that count."""
    user_id = viewer.user.id
    applications = [
        ApplicationFacts(*row)
        for row in await session.execute(
            select(Application.id, Application.status, Application.created_at).where(
                Application.owner_id == user_id
            )
        )
    ]
    events = [
        EventFacts(*row)
        for row in await session.execute(
            select(Event.application_id, Event.type, Event.occurred_at, Event.to_status).where(
                Event.owner_id == user_id, Event.type.in_([t.value for t in COUNTED])
            )
        )
    ]
    today = timefmt.today(viewer.tz, utcnow())
    figures = progress(applications, events, labels.STATUS, viewer.tz, today)
    return render(
        request,
        "progress.html",
        {"title": "Progress", "section": "progress", "p": figures},
        viewer=viewer,
    )
