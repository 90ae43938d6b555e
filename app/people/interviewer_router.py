"""/applications/{id}/interviewers and /interviewers/{id}"""

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
from app.models import Interviewer
from app.people import interviewer_service as service
from app.people.schemas import InterviewerCreate, InterviewerOut, InterviewerPatch

router = APIRouter(
    route_class=TransactionRoute, tags=["interviewers"], responses=error_responses(401, 404, 422)
)


async def owned_interviewer(
    interviewer_id: str, user: CurrentUser, session: SessionDep
) -> Interviewer:
    return await service.get_interviewer(session, user.id, parse_id(interviewer_id, "interviewer"))


OwnedInterviewer = Annotated[Interviewer, Depends(owned_interviewer)]


@router.get(
    "/applications/{application_id}/interviewers",
    operation_id="listInterviewers",
    responses=error_responses(400),
)
async def list_interviewers(
    application: OwnedApplication,
    session: SessionDep,
    page: PageDep,
    request: Request,
    response: Response,
) -> Page[InterviewerOut]:
    rows, next_cursor = await service.list_interviewers(session, application, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[InterviewerOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/applications/{application_id}/interviewers",
    status_code=status.HTTP_201_CREATED,
    operation_id="createInterviewer",
)
async def create_interviewer(
    data: InterviewerCreate,
    application: OwnedApplication,
    session: SessionDep,
    request: Request,
    response: Response,
) -> InterviewerOut:
    interviewer = await service.create_interviewer(session, application, data)
    response.headers["Location"] = url_for(
        request, "get_interviewer", interviewer_id=str(interviewer.id)
    )
    set_etag(response, interviewer.version)
    return InterviewerOut.model_validate(interviewer)


@router.get("/interviewers/{interviewer_id}", operation_id="getInterviewer")
async def get_interviewer(interviewer: OwnedInterviewer, response: Response) -> InterviewerOut:
    set_etag(response, interviewer.version)
    return InterviewerOut.model_validate(interviewer)


@router.patch(
    "/interviewers/{interviewer_id}",
    operation_id="updateInterviewer",
    responses=error_responses(412),
)
async def update_interviewer(
    data: InterviewerPatch,
    interviewer: OwnedInterviewer,
    session: SessionDep,
    request: Request,
    response: Response,
) -> InterviewerOut:
    check_if_match(request, interviewer.version)
    interviewer = await service.update_interviewer(session, interviewer, data)
    set_etag(response, interviewer.version)
    return InterviewerOut.model_validate(interviewer)


@router.delete(
    "/interviewers/{interviewer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteInterviewer",
    responses=error_responses(412),
)
async def delete_interviewer(
    interviewer: OwnedInterviewer, session: SessionDep, request: Request
) -> None:
    check_if_match(request, interviewer.version)
    await service.delete_interviewer(session, interviewer)
