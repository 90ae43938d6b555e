"""Settings pages for webhooks (with their delivery log) and integrations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import Integration, WebhookDelivery, WebhookMessage, WebhookSubscription
from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.web.helpers import Browser, assert_html, field_error, flash_of, input_value, sign_in

pytestmark = pytest.mark.anyio
TARGET = "http://127.0.0.1:9/hook"  # an IP literal: no DNS lookup, never connected to


@pytest.fixture
async def lenient(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    alice: UserWithToken,
) -> AsyncIterator[Browser]:
    """Alice signed in to an app that allows loopback webhook targets (local development)."""
    app = create_app(
        settings.model_copy(update={"webhooks_allow_private_targets": True}), sessionmaker
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield await sign_in(c, session, alice.user)


async def _subscribe(browser: Browser, session: AsyncSession) -> WebhookSubscription:
    r = await browser.post(
        "/settings/webhooks",
        {"url": TARGET, "events": ["application.created", "recommendation.due"]},
    )
    page = assert_html(r, 200)
    subscription = await session.scalar(select(WebhookSubscription))
    assert subscription is not None
    assert input_value(page, "new-secret") == subscription.secret
    return subscription


async def test_add_a_webhook_shows_the_secret_once(lenient: Browser, session: AsyncSession) -> None:
    subscription = await _subscribe(lenient, session)
    assert subscription.events == ["application.created", "recommendation.due"]
    listing = assert_html(await lenient.get("/settings/webhooks"), 200)
    assert TARGET in listing
    assert subscription.secret not in listing


async def test_all_events_wins_over_single_ones(lenient: Browser, session: AsyncSession) -> None:
    await lenient.post("/settings/webhooks", {"url": TARGET, "events": ["*", "webhook.test"]})
    subscription = await session.scalar(select(WebhookSubscription))
    assert subscription is not None
    assert subscription.events == ["*"]


async def test_private_targets_are_refused_by_default(web: Browser, session: AsyncSession) -> None:
    before = await snapshot(session)
    r = await web.post("/settings/webhooks", {"url": TARGET, "events": ["*"]})
    page = assert_html(r, 422)
    assert field_error(page, "f-url")
    assert input_value(page, "f-url") == TARGET
    r = await web.post("/settings/webhooks", {"url": "not a url", "events": []})
    page = assert_html(r, 422)
    assert field_error(page, "f-url") == "Enter a web address starting with https://."
    assert field_error(page, "f-events")
    assert_html(await web.client.post("/settings/webhooks", data={"url": TARGET}), 403)
    assert await snapshot(session) == before


async def test_edit_pause_test_and_redeliver(lenient: Browser, session: AsyncSession) -> None:
    subscription = await _subscribe(lenient, session)
    page = assert_html(await lenient.get(f"/settings/webhooks/{subscription.id}"), 200)
    assert "Nothing sent yet" in page
    r = await lenient.post(
        f"/settings/webhooks/{subscription.id}",
        {"url": TARGET, "events": ["*"], "description": "my script"},
    )
    assert r.status_code == 303
    await session.refresh(subscription)
    assert (subscription.events, subscription.enabled) == (["*"], False)
    assert subscription.disabled_reason
    r = await lenient.post(f"/settings/webhooks/{subscription.id}/test")
    assert "disabled" in (flash_of((await lenient.get(r.headers["location"])).text) or "")
    await lenient.post(
        f"/settings/webhooks/{subscription.id}", {"url": TARGET, "events": ["*"], "enabled": "yes"}
    )
    r = await lenient.post(f"/settings/webhooks/{subscription.id}/test")
    assert r.status_code == 303
    message = await session.scalar(select(WebhookMessage))
    assert message is not None
    # What the worker would log after a failed attempt.
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        message_id=message.id,
        event_type="webhook.test",
        attempt=1,
        status_code=500,
        error="HTTP 500",
        duration_ms=12,
        response_body="oops",
    )
    message.status = "failed"
    session.add(delivery)
    await session.commit()
    page = assert_html(await lenient.get(f"/settings/webhooks/{subscription.id}"), 200)
    assert "webhook.test · attempt 1" in page
    assert "HTTP 500" in page
    redeliver = re.search(r'action="(/settings/webhooks/deliveries/[^"]+/redeliver)"', page)
    assert redeliver
    r = await lenient.post(redeliver.group(1))
    assert r.status_code == 303
    await session.refresh(message)
    assert message.status == "pending"


async def test_invalid_edit_changes_nothing(lenient: Browser, session: AsyncSession) -> None:
    subscription = await _subscribe(lenient, session)
    before = await snapshot(session)
    r = await lenient.post(
        f"/settings/webhooks/{subscription.id}", {"url": "ftp://x", "events": ["*"]}
    )
    page = assert_html(r, 422)
    assert field_error(page, "f-url")
    assert await snapshot(session) == before


async def test_delete_a_webhook(lenient: Browser, session: AsyncSession) -> None:
    subscription = await _subscribe(lenient, session)
    confirm = assert_html(await lenient.get(f"/settings/webhooks/{subscription.id}/delete"), 200)
    assert "Delete this webhook?" in confirm
    assert (await lenient.post(f"/settings/webhooks/{subscription.id}/delete")).status_code == 303
    session.expunge_all()
    assert (await session.scalars(select(WebhookSubscription))).all() == []


async def test_someone_elses_webhook_is_not_found(
    lenient: Browser, session: AsyncSession, bob: UserWithToken
) -> None:
    theirs = WebhookSubscription(
        owner_id=bob.user.id, url=TARGET, events=["*"], secret="whsec_x", enabled=True
    )
    session.add(theirs)
    await session.commit()
    before = await snapshot(session)
    for path in ("", "/delete"):
        assert_html(await lenient.get(f"/settings/webhooks/{theirs.id}{path}"), 404)
    assert_html(await lenient.post(f"/settings/webhooks/{theirs.id}/delete"), 404)
    assert_html(await lenient.post(f"/settings/webhooks/{theirs.id}/test"), 404)
    assert await snapshot(session) == before


async def test_integrations_show_secret_and_url_once(web: Browser, session: AsyncSession) -> None:
    r = await web.post("/settings/integrations", {"name": "greenhouse"})
    page = assert_html(r, 200)
    integration = await session.scalar(select(Integration))
    assert integration is not None
    assert input_value(page, "new-secret") == integration.secret
    assert input_value(page, "new-url") == f"http://test/api/v1/inbound/{integration.id}"
    listing = assert_html(await web.get("/settings/integrations"), 200)
    assert integration.secret not in listing
    assert f"/api/v1/inbound/{integration.id}" in listing
    before = await snapshot(session)
    page = assert_html(await web.post("/settings/integrations", {"name": "greenhouse"}), 409)
    assert "already have an integration with this name" in page
    page = assert_html(await web.post("/settings/integrations", {"name": "manual"}), 422)
    assert "reserved" in (field_error(page, "f-name") or "")
    assert_html(await web.client.post("/settings/integrations", data={"name": "x"}), 403)
    assert await snapshot(session) == before
    assert (
        "Delete this integration?"
        in (await web.get(f"/settings/integrations/{integration.id}/delete")).text
    )
    r = await web.post(f"/settings/integrations/{integration.id}/delete")
    assert r.status_code == 303
    session.expunge_all()
    assert (await session.scalars(select(Integration))).all() == []
