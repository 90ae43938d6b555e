"""/applications/{id}/events and /events/{id}"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.applications.deps import OwnedApplication
from app.auth.deps import CurrentUser
from app.core.concurrency import check_if_match, set_etag
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.core.urls import url_for
from app.events import service
from app.events.schemas import EventCreate, EventOut, EventPatch
from app.models import Application, Event
from app.models.enums import EventType

router = APIRouter(
    route_class=TransactionRoute, tags=["events"], responses=error_responses(401, 404, 422)
)


async def owned_event(event_id: str, user: CurrentUser, session: SessionDep) -> Event:
    return await service.get_event(session, user.id, parse_id(event_id, "event"))


OwnedEvent = Annotated[Event, Depends(owned_event)]


@router.get(
    "/applications/{application_id}/events",
    operation_id="listEvents",
    responses=error_responses(400),
)
async def list_events(
    application: OwnedApplication,
    session: SessionDep,
    page: PageDep,
    request: Request,
    response: Response,
    type_: Annotated[
        list[EventType] | None, Query(alias="type", description="Only these types (repeatable).")
    ] = None,
) -> Page[EventOut]:
    """The application's timeline, most recent first."""
    rows, next_cursor = await service.list_events(session, application, page, type_ or ())
    set_next_link(request, response, next_cursor)
    return Page(items=[EventOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/applications/{application_id}/events",
    status_code=status.HTTP_201_CREATED,
    operation_id="createEvent",
)
async def create_event(
    data: EventCreate,
    application: OwnedApplication,
    session: SessionDep,
    request: Request,
    response: Response,
) -> EventOut:
    """Record something you did or received. A `withdrawal` sets the status to `withdrawn`.

    A `status_inquiry` the policy would advise against (too soon, or a third without a
    reply) is still recorded; `warnings` says why.
    """
    event, warnings = await service.record_event_with_warnings(session, application, data)
    response.headers["Location"] = url_for(request, "get_event", event_id=str(event.id))
    set_etag(response, event.version)
    return EventOut.model_validate(event).model_copy(update={"warnings": warnings})


@router.get("/events/{event_id}", operation_id="getEvent")
async def get_event(event: OwnedEvent, response: Response) -> EventOut:
    set_etag(response, event.version)
    return EventOut.model_validate(event)


@router.patch("/events/{event_id}", operation_id="updateEvent", responses=error_responses(412))
async def update_event(
    data: EventPatch, event: OwnedEvent, session: SessionDep, request: Request, response: Response
) -> EventOut:
    """Change when, how, what they said, the notes or the linked people; never `type`.

    Linked ids are checked as on creation. No status follows an edit (only a `withdrawal`
    moves one, and its type can't change), and no webhook is sent.
    """
    check_if_match(request, event.version)
    application = await session.get_one(Application, event.application_id)
    event = await service.update_event(session, application, event, data)
    set_etag(response, event.version)
    return EventOut.model_validate(event)


@router.delete(
    "/events/{event_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteEvent",
    responses=error_responses(412),
)
async def delete_event(event: OwnedEvent, session: SessionDep, request: Request) -> None:
    check_if_match(request, event.version)
    await service.delete_event(session, event)
