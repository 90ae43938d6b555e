"""/references"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.auth.deps import CurrentUser
from app.core.concurrency import check_if_match, set_etag
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.core.urls import url_for
from app.models import Reference
from app.people import reference_service as service
from app.people.schemas import ReferenceCreate, ReferenceOut, ReferencePatch

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/references",
    tags=["references"],
    responses=error_responses(401, 422),
)


async def owned_reference(reference_id: str, user: CurrentUser, session: SessionDep) -> Reference:
    return await service.get_reference(session, user.id, parse_id(reference_id, "reference"))


OwnedReference = Annotated[Reference, Depends(owned_reference)]


@router.get("", operation_id="listReferences", responses=error_responses(400))
async def list_references(
    user: CurrentUser, session: SessionDep, page: PageDep, request: Request, response: Response
) -> Page[ReferenceOut]:
    rows, next_cursor = await service.list_references(session, user, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[ReferenceOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="createReference")
async def create_reference(
    data: ReferenceCreate,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ReferenceOut:
    reference = await service.create_reference(session, user, data)
    response.headers["Location"] = url_for(request, "get_reference", reference_id=str(reference.id))
    set_etag(response, reference.version)
    return ReferenceOut.model_validate(reference)


@router.get("/{reference_id}", operation_id="getReference", responses=error_responses(404))
async def get_reference(reference: OwnedReference, response: Response) -> ReferenceOut:
    set_etag(response, reference.version)
    return ReferenceOut.model_validate(reference)


@router.patch(
    "/{reference_id}", operation_id="updateReference", responses=error_responses(404, 412)
)
async def update_reference(
    data: ReferencePatch,
    reference: OwnedReference,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ReferenceOut:
    check_if_match(request, reference.version)
    reference = await service.update_reference(session, reference, data)
    set_etag(response, reference.version)
    return ReferenceOut.model_validate(reference)


@router.delete(
    "/{reference_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteReference",
    responses=error_responses(404, 412),
)
async def delete_reference(
    reference: OwnedReference, session: SessionDep, request: Request
) -> None:
    """Also removes it from every application it was listed on."""
    check_if_match(request, reference.version)
    await service.delete_reference(session, reference)
