"""/applications/{id}/interviews and /interviews/{id}"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.applications.deps import OwnedApplication
from app.auth.deps import CurrentUser
from app.core.concurrency import check_if_match, set_etag
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.core.urls import url_for
from app.interviews import service
from app.interviews.schemas import InterviewCreate, InterviewOut, InterviewPatch
from app.models import Interview

router = APIRouter(
    route_class=TransactionRoute, tags=["interviews"], responses=error_responses(401, 404, 422)
)


async def owned_interview(interview_id: str, user: CurrentUser, session: SessionDep) -> Interview:
    return await service.get_interview(session, user.id, parse_id(interview_id, "interview"))


OwnedInterview = Annotated[Interview, Depends(owned_interview)]


@router.get(
    "/applications/{application_id}/interviews",
    operation_id="listInterviews",
    responses=error_responses(400),
)
async def list_interviews(
    application: OwnedApplication,
    session: SessionDep,
    page: PageDep,
    request: Request,
    response: Response,
) -> Page[InterviewOut]:
    """The application's interviews, latest start first."""
    rows, next_cursor = await service.list_interviews(session, application, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[InterviewOut.of(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/applications/{application_id}/interviews",
    status_code=status.HTTP_201_CREATED,
    operation_id="createInterview",
)
async def create_interview(
    data: InterviewCreate,
    application: OwnedApplication,
    session: SessionDep,
    request: Request,
    response: Response,
) -> InterviewOut:
    interview = await service.create_interview(session, application, data)
    response.headers["Location"] = url_for(request, "get_interview", interview_id=str(interview.id))
    set_etag(response, interview.version)
    return InterviewOut.of(interview)


@router.get("/interviews/{interview_id}", operation_id="getInterview")
async def get_interview(interview: OwnedInterview, response: Response) -> InterviewOut:
    set_etag(response, interview.version)
    return InterviewOut.of(interview)


@router.patch(
    "/interviews/{interview_id}", operation_id="updateInterview", responses=error_responses(412)
)
async def update_interview(
    data: InterviewPatch,
    interview: OwnedInterview,
    session: SessionDep,
    request: Request,
    response: Response,
) -> InterviewOut:
    check_if_match(request, interview.version)
    interview = await service.update_interview(session, interview, data)
    set_etag(response, interview.version)
    return InterviewOut.of(interview)


@router.delete(
    "/interviews/{interview_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteInterview",
    responses=error_responses(412),
)
async def delete_interview(
    interview: OwnedInterview, session: SessionDep, request: Request
) -> None:
    check_if_match(request, interview.version)
    await service.delete_interview(session, interview)
