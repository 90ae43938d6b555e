"""/calendar.ics and the secret feed URL for calendar apps."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from app.auth.deps import CurrentUser
from app.calendar import service
from app.calendar.schemas import CalendarFeedOut
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.idempotency import keep_secret
from app.core.urls import url_for

router = APIRouter(route_class=TransactionRoute, tags=["calendar"])

ICS = "text/calendar"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An iCalendar (RFC 5545) document.",
        "content": {ICS: {"schema": {"type": "string"}}},
    }
}


def ics_response(body: bytes) -> Response:
    return Response(
        body,
        media_type=f"{ICS}; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="followup.ics"',
            # Personal data: kept in no cache, shared or not.
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/calendar.ics",
    operation_id="getCalendar",
    response_class=Response,
    responses={**ICS_RESPONSE, **error_responses(401)},
)
async def get_calendar(user: CurrentUser, session: SessionDep) -> Response:
    """Your interviews as events and your open next steps as all-day events on their due
    day (in your timezone)."""
    return ics_response(await service.calendar_for(session, user))


@router.post(
    "/calendar/feed",
    status_code=status.HTTP_201_CREATED,
    operation_id="createCalendarFeed",
    responses=error_responses(401),
)
async def create_calendar_feed(
    user: CurrentUser, session: SessionDep, request: Request, response: Response
) -> CalendarFeedOut:
    """A new secret feed URL for calendar apps, which can't send a bearer token.
    Any previous URL stops working."""
    secret = await service.new_feed_secret(session, user)
    keep_secret(request, "url", headers=("location",))
    url = url_for(request, "get_calendar_feed", secret=secret)
    response.headers["Location"] = url
    return CalendarFeedOut(url=url)


@router.delete(
    "/calendar/feed",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeCalendarFeed",
    responses=error_responses(401),
)
async def revoke_calendar_feed(user: CurrentUser, session: SessionDep) -> None:
    """The feed URL stops working at once (nothing happens if there is none)."""
    await service.revoke_feed(session, user)


@router.get(
    "/calendar/feed/{secret}.ics",
    operation_id="getCalendarFeed",
    response_class=Response,
    responses={**ICS_RESPONSE, **error_responses(404)},
)
async def get_calendar_feed(
    secret: Annotated[str, Path(max_length=100, description="The secret from the feed URL.")],
    session: SessionDep,
) -> Response:
    """The same calendar as `/calendar.ics`, authenticated by the secret in the URL alone."""
    user = await service.user_for_feed_secret(session, secret)
    return ics_response(await service.calendar_for(session, user))
