"""/applications"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.applications import listing, service
from app.applications.deps import OwnedApplication
from app.applications.filters import ListQuery
from app.applications.schemas import ApplicationCreate, ApplicationOut, ApplicationPatch
from app.auth.deps import CurrentUser
from app.core.concurrency import check_if_match, set_etag
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import NotFound, error_responses
from app.core.ids import parse_id
from app.core.pagination import Page, set_next_link
from app.core.urls import url_for

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/applications",
    tags=["applications"],
    responses=error_responses(401, 422),
)


@router.get(
    "",
    operation_id="listApplications",
    response_model=Page[ApplicationOut],
    responses=error_responses(400),
)
async def list_applications(
    query: Annotated[ListQuery, Query()],
    user: CurrentUser,
    session: SessionDep,
    request: Request,
) -> Response:
    """Your applications, newest first."""
    # Rows straight to JSON bytes (see listing.py): same body, a fraction of the work.
    items, next_cursor = await listing.list_page(session, user.id, query.page, query.filters)
    response = Response(listing.page_json(items, next_cursor), media_type="application/json")
    set_next_link(request, response, next_cursor)
    return response


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createApplication",
    responses=error_responses(409),
)
async def create_application(
    data: ApplicationCreate,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ApplicationOut:
    application = await service.create_application(session, user, data)
    response.headers["Location"] = url_for(
        request, "get_application", application_id=str(application.id)
    )
    set_etag(response, application.version)
    return ApplicationOut.of(application)


@router.get(
    "/{application_id}",
    operation_id="getApplication",
    response_model=ApplicationOut,
    responses=error_responses(404),
)
async def get_application(application_id: str, user: CurrentUser, session: SessionDep) -> Response:
    # One row straight to JSON bytes, as the list reads its pages (see listing.py).
    item = await listing.one_item(session, user.id, parse_id(application_id, "application"))
    if item is None:
        raise NotFound("application")
    response = Response(listing.item_json(item), media_type="application/json")
    set_etag(response, item["version"])
    return response


@router.patch(
    "/{application_id}",
    operation_id="updateApplication",
    responses=error_responses(404, 409, 412),
)
async def update_application(
    data: ApplicationPatch,
    application: OwnedApplication,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ApplicationOut:
    """Partial update. A status change records a `status_changed` event."""
    check_if_match(request, application.version)
    application = await service.update_application(session, application, data)
    set_etag(response, application.version)
    return ApplicationOut.of(application)


@router.delete(
    "/{application_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteApplication",
    responses=error_responses(404, 412),
)
async def delete_application(
    application: OwnedApplication, session: SessionDep, request: Request
) -> None:
    """Deletes it with its interviews, interviewers and events."""
    check_if_match(request, application.version)
    await service.delete_application(session, application)
