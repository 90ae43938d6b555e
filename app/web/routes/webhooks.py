"""Settings: webhook subscriptions, their delivery log, test sends and redelivery."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.core.db import SessionDep, TransactionRoute
from app.core.ids import parse_id
from app.core.pagination import PageParams
from app.models import WebhookDelivery, WebhookSubscription
from app.web.deps import CheckedForm, Viewer, ViewerDep, settings_of
from app.web.forms import FormState, attempt, read_form
from app.web.routes.common import redirect
from app.web.routes.confirm import confirm_page
from app.web.templating import render
from app.webhooks import service
from app.webhooks.event_types import ALL_EVENTS, EVENT_TYPES
from app.webhooks.outbox import webhook_id
from app.webhooks.schemas import WebhookCreate, WebhookPatch

router = APIRouter(route_class=TransactionRoute)

LIST_PAGE = PageParams(limit=100, cursor=None)
LOG_PAGE = PageParams(limit=50, cursor=None)
FIELDS = ("url", "description", "enabled")


async def owned_subscription(
    webhook_id: str, viewer: ViewerDep, session: SessionDep
) -> WebhookSubscription:
    return await service.get_subscription(session, viewer.user.id, parse_id(webhook_id, "webhook"))


OwnedSubscription = Annotated[WebhookSubscription, Depends(owned_subscription)]


def _allow_private(request: Request) -> bool:
    return settings_of(request).webhooks_allow_private_targets


def _input(form: FormState, *, editing: bool) -> dict[str, Any]:
    events = form.chosen("events")
    data: dict[str, Any] = {
        "url": form.value("url"),
        # "All events" wins over any single ones ticked with it.
        "events": [ALL_EVENTS] if ALL_EVENTS in events else events,
        "description": form.value("description").strip() or None,
    }
    if editing:
        data["enabled"] = form.value("enabled") == "yes"
    return data


async def _list_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    form: FormState | None = None,
    created: WebhookSubscription | None = None,
) -> Response:
    form = form or FormState(values={"url": "", "description": "", "events": [ALL_EVENTS]})
    subscriptions, _ = await service.list_subscriptions(session, viewer.user, LIST_PAGE)
    return render(
        request,
        "settings/webhooks.html",
        {
            "title": "Webhooks",
            "section": "settings",
            "tab": "webhooks",
            "form": form,
            "subscriptions": subscriptions,
            "created": created,
            "event_types": EVENT_TYPES,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/settings/webhooks")
async def webhooks_page(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return await _list_page(request, viewer, session)


@router.post("/settings/webhooks")
async def create_webhook(
    request: Request, viewer: ViewerDep, session: SessionDep, form_data: CheckedForm
) -> Response:
    form = read_form(form_data, ("url", "description"), multi=("events",))

    async def create() -> WebhookSubscription:
        data = WebhookCreate.model_validate(_input(form, editing=False))
        return await service.create_subscription(
            session, viewer.user, data, allow_private=_allow_private(request)
        )

    created = await attempt(session, form, create)
    if created is None or form.invalid:
        return await _list_page(request, viewer, session, form)
    # The signing secret is shown in this response only (the page is never cached).
    return await _list_page(request, viewer, session, created=created)


async def _detail_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    subscription: WebhookSubscription,
    form: FormState | None = None,
) -> Response:
    form = form or FormState(
        values={
            "url": subscription.url,
            "description": subscription.description or "",
            "enabled": "yes" if subscription.enabled else "",
            "events": list(subscription.events),
        }
    )
    deliveries, _ = await service.list_deliveries(session, subscription, LOG_PAGE)
    return render(
        request,
        "settings/webhook.html",
        {
            "title": "Webhook",
            "section": "settings",
            "tab": "webhooks",
            "form": form,
            "subscription": subscription,
            "deliveries": deliveries,
            "message_ids": {d.id: webhook_id(d.message_id) for d in deliveries},
            "event_types": EVENT_TYPES,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/settings/webhooks/{webhook_id}")
async def webhook_page(
    request: Request, viewer: ViewerDep, session: SessionDep, subscription: OwnedSubscription
) -> Response:
    return await _detail_page(request, viewer, session, subscription)


@router.post("/settings/webhooks/{webhook_id}")
async def update_webhook(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    subscription: OwnedSubscription,
    form_data: CheckedForm,
) -> Response:
    form = read_form(form_data, FIELDS, multi=("events",))

    async def update() -> WebhookSubscription:
        data = WebhookPatch.model_validate(_input(form, editing=True))
        return await service.update_subscription(
            session, subscription, data, allow_private=_allow_private(request)
        )

    await attempt(session, form, update, keep=[subscription])
    if form.invalid:
        return await _detail_page(request, viewer, session, subscription, form)
    return redirect(request, f"/settings/webhooks/{subscription.id}", "Webhook saved.")


@router.post("/settings/webhooks/{webhook_id}/test")
async def test_webhook(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    subscription: OwnedSubscription,
    form_data: CheckedForm,
) -> Response:
    back = f"/settings/webhooks/{subscription.id}"
    form = FormState()
    await attempt(session, form, lambda: service.send_test(session, subscription))
    if form.invalid:
        return redirect(request, back, " ".join(form.summary), "warning")
    return redirect(request, back, "Test event queued: it shows in the log once sent.")


@router.post("/settings/webhooks/deliveries/{delivery_id}/redeliver")
async def redeliver(
    request: Request, viewer: ViewerDep, session: SessionDep, delivery_id: str, _form: CheckedForm
) -> Response:
    delivery: WebhookDelivery = await service.get_delivery(
        session, viewer.user.id, parse_id(delivery_id, "delivery")
    )
    back = f"/settings/webhooks/{delivery.subscription_id}"
    form = FormState()
    await attempt(session, form, lambda: service.redeliver(session, delivery))
    if form.invalid:
        return redirect(request, back, " ".join(form.summary), "warning")
    return redirect(request, back, "Queued again, with the same webhook-id.")


@router.get("/settings/webhooks/{webhook_id}/delete")
async def confirm_delete_webhook(
    request: Request, viewer: ViewerDep, subscription: OwnedSubscription
) -> Response:
    return confirm_page(
        request,
        viewer,
        title="Delete this webhook?",
        what=subscription.url,
        consequence="Deliveries stop at once; queued messages and the delivery log are "
        "deleted too. This can't be undone.",
        action=f"/settings/webhooks/{subscription.id}/delete",
        cancel=f"/settings/webhooks/{subscription.id}",
        button="Delete webhook",
        section="settings",
    )


@router.post("/settings/webhooks/{webhook_id}/delete")
async def delete_webhook(
    request: Request, session: SessionDep, subscription: OwnedSubscription, _form: CheckedForm
) -> Response:
    await service.delete_subscription(session, subscription)
    return redirect(request, "/settings/webhooks", "Webhook deleted.")
