"""Settings: the calendar feed (make, replace, turn off) and a one-off .ics download."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.calendar import service
from app.calendar.router import ics_response
from app.core.db import SessionDep, TransactionRoute
from app.core.urls import url_for
from app.web.deps import CheckedForm, Viewer, ViewerDep
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render

router = APIRouter(route_class=TransactionRoute)

PAGE = "/settings/calendar"


async def _page(
    request: Request, viewer: Viewer, session: SessionDep, new_url: str | None = None
) -> Response:
    return render(
        request,
        "settings/calendar.html",
        {
            "title": "Calendar",
            "section": "settings",
            "tab": "calendar",
            "feed": await service.feed_of(session, viewer.user),
            "new_url": new_url,
        },
        viewer=viewer,
    )


@router.get(PAGE)
async def calendar_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _page(request, viewer, session)


@router.post(f"{PAGE}/feed")
async def make_feed(
    request: Request, viewer: ViewerDep, session: SessionDep, _form: CheckedForm
) -> Response:
    secret = await service.new_feed_secret(session, viewer.user)
    # The same URL the API hands out. Shown in this response only (pages are never
    # cached): the secret is not stored, so it can't be shown again.
    return await _page(
        request, viewer, session, new_url=url_for(request, "get_calendar_feed", secret=secret)
    )


@router.get(f"{PAGE}/feed/replace")
async def confirm_replace_feed(request: Request, viewer: ViewerDep) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Make a new feed link?",
        what="Your calendar feed link",
        consequence="The link you have now stops working at once: calendar apps subscribed "
        "to it stop updating until you give them the new one.",
        action=f"{PAGE}/feed",
        cancel=PAGE,
        button="Make a new link",
        section="settings",
    )


@router.get(f"{PAGE}/feed/revoke")
async def confirm_revoke_feed(request: Request, viewer: ViewerDep) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Turn off the calendar feed?",
        what="Your calendar feed link",
        consequence="The link stops working at once; calendar apps subscribed to it keep "
        "what they last fetched but get nothing new. You can make a new link later.",
        action=f"{PAGE}/feed/revoke",
        cancel=PAGE,
        button="Turn off the feed",
        section="settings",
    )


@router.post(f"{PAGE}/feed/revoke")
async def revoke_feed(
    request: Request, viewer: ViewerDep, session: SessionDep, _form: CheckedForm
) -> Response:
    await service.revoke_feed(session, viewer.user)
    return redirect(request, PAGE, "The feed link is turned off. It stops working at once.")


@router.get(f"{PAGE}/followup.ics")
async def download_calendar(viewer: ViewerDep, session: SessionDep) -> Response:
    return ics_response(await service.calendar_for(session, viewer.user))
