"""/integrations (bearer-authenticated) and /inbound/{id} (signature-authenticated)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from app.auth.deps import CurrentUser
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.idempotency import keep_secret
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.core.ratelimit import client_address, rate_limits_of
from app.core.urls import url_for
from app.integrations import inbound, service
from app.integrations.schemas import (
    InboundAck,
    IntegrationCreate,
    IntegrationCreated,
    IntegrationOut,
)
from app.models import Integration
from app.models.base import utcnow

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/integrations",
    tags=["integrations"],
    responses=error_responses(401, 422),
)
inbound_router = APIRouter(route_class=TransactionRoute, tags=["integrations"])

INBOUND_EVENT_SCHEMA = "InboundEvent"


def _inbound_url(request: Request, integration: Integration) -> str:
    return url_for(request, "receive_inbound", integration_id=str(integration.id))


async def owned_integration(
    integration_id: str, user: CurrentUser, session: SessionDep
) -> Integration:
    return await service.get_integration(session, user.id, parse_id(integration_id, "integration"))


OwnedIntegration = Annotated[Integration, Depends(owned_integration)]


@router.get("", operation_id="listIntegrations", responses=error_responses(400))
async def list_integrations(
    user: CurrentUser, session: SessionDep, page: PageDep, request: Request, response: Response
) -> Page[IntegrationOut]:
    """Your integrations, newest first."""
    rows, next_cursor = await service.list_integrations(session, user, page)
    set_next_link(request, response, next_cursor)
    items = [IntegrationOut.of(i, _inbound_url(request, i)) for i in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createIntegration",
    responses=error_responses(409),
)
async def create_integration(
    data: IntegrationCreate,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    response: Response,
) -> IntegrationCreated:
    """Create an inbound endpoint for a tool. The signing `secret` is in this response only."""
    integration = await service.create_integration(session, user, data)
    keep_secret(request, "secret")
    response.headers["Location"] = url_for(
        request, "get_integration", integration_id=str(integration.id)
    )
    out = IntegrationOut.of(integration, _inbound_url(request, integration))
    return IntegrationCreated(**out.model_dump(), secret=integration.secret)


@router.get("/{integration_id}", operation_id="getIntegration", responses=error_responses(404))
async def get_integration(integration: OwnedIntegration, request: Request) -> IntegrationOut:
    return IntegrationOut.of(integration, _inbound_url(request, integration))


@router.delete(
    "/{integration_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteIntegration",
    responses=error_responses(404),
)
async def delete_integration(integration: OwnedIntegration, session: SessionDep) -> None:
    """Its inbound URL stops working at once; what it created stays."""
    await service.delete_integration(session, integration)


_INBOUND_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{INBOUND_EVENT_SCHEMA}"}}
        },
    }
}


@inbound_router.post(
    "/inbound/{integration_id}",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="receiveInbound",
    openapi_extra=_INBOUND_BODY,
    responses={
        200: {"model": InboundAck, "description": "A replayed webhook-id: nothing changed."},
        **error_responses(401, 413, 422, 429),
    },
)
async def receive_inbound(
    integration_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
) -> InboundAck:
    """Receive an event from a tool, authenticated by its Standard Webhooks signature alone.

    Sign `{webhook-id}.{webhook-timestamp}.{body}` with the integration's secret
    (HMAC-SHA256, `webhook-signature: v1,<base64>`); the timestamp must be within 5
    minutes. A bad signature, a stale one or an unknown integration: 401. A
    `webhook-id` already accepted: 200 and nothing changes. An unknown `type` or
    invalid `data`: 422 and nothing changes. Otherwise the event is applied and
    stored, then answered 202.
    """
    body = await request.body()
    ack = await inbound.receive(
        session,
        integration_id,
        request.headers,
        body,
        now=utcnow(),
        limits=rate_limits_of(request),
        client=client_address(request),
    )
    if ack.status == "duplicate":
        response.status_code = status.HTTP_200_OK
    return ack
