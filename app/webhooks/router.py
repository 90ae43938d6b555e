"""/webhooks: subscriptions, their delivery log, test events and redelivery."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.auth.deps import CurrentUser
from app.core.concurrency import check_if_match, set_etag
from app.core.config import Settings
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.idempotency import keep_secret
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.models import WebhookDelivery, WebhookSubscription
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryOut,
    MessageOut,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookPatch,
)

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/webhooks",
    tags=["webhooks"],
    responses=error_responses(401, 422),
)


def _allow_private(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return settings.webhooks_allow_private_targets


async def owned_subscription(
    webhook_id: str, user: CurrentUser, session: SessionDep
) -> WebhookSubscription:
    return await service.get_subscription(session, user.id, parse_id(webhook_id, "webhook"))


async def owned_delivery(
    delivery_id: str, user: CurrentUser, session: SessionDep
) -> WebhookDelivery:
    return await service.get_delivery(session, user.id, parse_id(delivery_id, "delivery"))


OwnedSubscription = Annotated[WebhookSubscription, Depends(owned_subscription)]
OwnedDelivery = Annotated[WebhookDelivery, Depends(owned_delivery)]


@router.get("", operation_id="listWebhooks", responses=error_responses(400))
async def list_webhooks(
    user: CurrentUser, session: SessionDep, page: PageDep, request: Request, response: Response
) -> Page[WebhookOut]:
    """Your webhook subscriptions, newest first."""
    rows, next_cursor = await service.list_subscriptions(session, user, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[WebhookOut.of(s) for s in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="createWebhook")
async def create_webhook(
    data: WebhookCreate,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    response: Response,
) -> WebhookCreated:
    """Subscribe a URL to events. The signing `secret` is in this response only.

    The URL must be http(s) on a public address (422 says why it isn't).
    """
    subscription = await service.create_subscription(
        session, user, data, allow_private=_allow_private(request)
    )
    keep_secret(request, "secret")
    response.headers["Location"] = str(
        request.url_for("get_webhook", webhook_id=str(subscription.id))
    )
    set_etag(response, subscription.version)
    return WebhookCreated(**WebhookOut.of(subscription).model_dump(), secret=subscription.secret)


@router.get("/{webhook_id}", operation_id="getWebhook", responses=error_responses(404))
async def get_webhook(subscription: OwnedSubscription, response: Response) -> WebhookOut:
    set_etag(response, subscription.version)
    return WebhookOut.of(subscription)


@router.patch("/{webhook_id}", operation_id="updateWebhook", responses=error_responses(404, 412))
async def update_webhook(
    data: WebhookPatch,
    subscription: OwnedSubscription,
    session: SessionDep,
    request: Request,
    response: Response,
) -> WebhookOut:
    """Partial update; `enabled: true` re-enables a disabled subscription."""
    check_if_match(request, subscription.version)
    subscription = await service.update_subscription(
        session, subscription, data, allow_private=_allow_private(request)
    )
    set_etag(response, subscription.version)
    return WebhookOut.of(subscription)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteWebhook",
    responses=error_responses(404, 412),
)
async def delete_webhook(
    subscription: OwnedSubscription, session: SessionDep, request: Request
) -> None:
    """Stops deliveries at once; queued messages and the delivery log are deleted too."""
    check_if_match(request, subscription.version)
    await service.delete_subscription(session, subscription)


@router.post(
    "/{webhook_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="testWebhook",
    responses=error_responses(404, 409),
)
async def test_webhook(subscription: OwnedSubscription, session: SessionDep) -> MessageOut:
    """Queue a `webhook.test` event for this subscription, whatever its `events` filter.

    The worker sends it within moments; the attempt shows up in the delivery log.
    """
    message = await service.send_test(session, subscription)
    return MessageOut.of(message, "webhook.test")


@router.get(
    "/{webhook_id}/deliveries",
    operation_id="listWebhookDeliveries",
    responses=error_responses(400, 404),
)
async def list_deliveries(
    subscription: OwnedSubscription,
    session: SessionDep,
    page: PageDep,
    request: Request,
    response: Response,
) -> Page[DeliveryOut]:
    """Every delivery attempt to this subscription, newest first."""
    rows, next_cursor = await service.list_deliveries(session, subscription, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[DeliveryOut.of(d) for d in rows], next_cursor=next_cursor)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="redeliverWebhook",
    responses=error_responses(404, 409),
)
async def redeliver(delivery: OwnedDelivery, session: SessionDep) -> MessageOut:
    """Send that attempt's message again, with the same `webhook-id`.

    It is queued for now; the new attempt appears in the delivery log.
    """
    message, event_type = await service.redeliver(session, delivery)
    return MessageOut.of(message, event_type)
