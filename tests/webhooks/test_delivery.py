"""Delivery to a live receiver: signatures, retries, disabling, redirects (docs/webhooks.md).

The worker's passes are called directly with an injected clock, so backoff is
exercised without waiting for it.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.core.encryption import current_keyring
from app.core.key_rotation import rotate_stored_secrets
from app.models import WebhookDelivery, WebhookMessage, WebhookSubscription
from app.models.base import utcnow
from app.webhooks.outbox import webhook_id
from app.webhooks.retry import JITTER, MAX_ATTEMPTS, RETRY_DELAYS
from tests.factories import UserWithToken
from tests.helpers import using_keys
from tests.webhooks.helpers import WorkerPass, all_rows, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
APPS = "/api/v1/applications"


async def _create_application(client: httpx.AsyncClient, user: UserWithToken) -> dict[str, object]:
    r = await client.post(
        APPS, json={"company": "Acme", "role_title": "Engineer"}, headers=user.headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def test_delivered_signed_so_an_independent_verifier_accepts_it(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    assert hook["secret"].startswith("whsec_")
    application = await _create_application(local_client, alice)

    assert await worker_pass() == 1

    [request] = receiver.requests
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "application.created"
    assert payload["data"] == application
    assert payload["timestamp"].endswith("Z")
    assert request.headers["content-type"] == "application/json"
    [message] = await all_rows(session, WebhookMessage)
    assert request.webhook_id == webhook_id(message.id)
    assert message.status == "delivered"
    assert message.attempts == 1
    [attempt] = await all_rows(session, WebhookDelivery)
    assert (attempt.status_code, attempt.attempt, attempt.error) == (200, 1, None)
    assert attempt.response_body == "ok"
    assert attempt.duration_ms >= 0
    # Nothing is left to send.
    assert await worker_pass() == 0


async def test_signed_with_the_stored_secret_across_a_key_rotation(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    old, new = current_keyring().keys[0], Fernet.generate_key().decode()
    await _create_application(local_client, alice)
    with using_keys(new, old) as keyring:  # the new key first, the old one still read
        assert await worker_pass() == 1
        assert await rotate_stored_secrets(session, keyring) == 1
        await session.commit()
    with using_keys(new):  # after rotation the old key can go
        [attempt] = await all_rows(session, WebhookDelivery)
        redeliver = f"/api/v1/webhooks/deliveries/{attempt.id}/redeliver"
        assert (await local_client.post(redeliver, headers=alice.headers)).status_code == 202
        test = f"/api/v1/webhooks/{hook['id']}/test"
        assert (await local_client.post(test, headers=alice.headers)).status_code == 202
        assert await worker_pass() == 2
    assert len(receiver.requests) == 3
    for request in receiver.requests:
        Webhook(hook["secret"]).verify(request.body, request.headers)


async def test_a_tampered_body_fails_verification(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await _create_application(local_client, alice)
    await worker_pass()
    [request] = receiver.requests
    with pytest.raises(Exception, match="signature"):
        Webhook(hook["secret"]).verify(request.body.replace(b"Acme", b"Evil"), request.headers)


async def test_a_500_is_retried_later_with_the_same_webhook_id(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await _create_application(local_client, alice)
    receiver.script("/hooks", [500, 503])
    now = utcnow()

    await worker_pass(now=now)
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "pending"
    first_delay = RETRY_DELAYS[0].total_seconds()
    wait = (message.next_attempt_at - now).total_seconds()
    assert first_delay * (1 - JITTER) <= wait <= first_delay * (1 + JITTER)
    # Not before its time.
    assert await worker_pass(now=now + timedelta(seconds=3)) == 0

    second_try = message.next_attempt_at
    await worker_pass(now=second_try)
    [message] = await all_rows(session, WebhookMessage)
    assert message.attempts == 2
    second_delay = RETRY_DELAYS[1].total_seconds()
    wait = (message.next_attempt_at - second_try).total_seconds()
    assert second_delay * (1 - JITTER) <= wait <= second_delay * (1 + JITTER)
    await worker_pass(now=message.next_attempt_at)

    assert len(set(receiver.ids())) == 1
    assert len(receiver.requests) == 3
    for request in receiver.requests:  # each attempt is freshly signed and verifiable
        Webhook(hook["secret"]).verify(request.body, request.headers)
    [message] = await all_rows(session, WebhookMessage)
    assert (message.status, message.attempts) == ("delivered", 3)
    attempts = sorted(await all_rows(session, WebhookDelivery), key=lambda d: d.attempt)
    assert [(a.attempt, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    r = await local_client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=alice.headers)
    assert {d["message_id"] for d in r.json()["items"]} == {receiver.ids()[0]}


async def test_a_dropped_connection_is_retried_with_the_same_webhook_id(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await _create_application(local_client, alice)
    receiver.script("/hooks", ["drop"])
    now = utcnow()

    await worker_pass(now=now)
    [failed] = await all_rows(session, WebhookDelivery)
    assert failed.status_code is None
    assert "closed" in str(failed.error)
    await worker_pass(now=now + timedelta(minutes=1))

    first, second = receiver.ids()
    assert first == second
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "delivered"


async def test_a_timeout_is_a_failed_attempt(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await _create_application(local_client, alice)
    receiver.script("/hooks", ["hang"])

    await worker_pass(attempt_timeout=0.2)
    receiver.release.set()

    [attempt] = await all_rows(session, WebhookDelivery)
    assert attempt.status_code is None
    assert attempt.error == "Timed out after 0.2 s."
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "pending"


async def test_410_disables_the_subscription_and_says_why(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    await _create_application(local_client, alice)
    receiver.script("/hooks", [410])

    await worker_pass()

    r = await local_client.get(f"/api/v1/webhooks/{hook['id']}", headers=alice.headers)
    assert r.json()["enabled"] is False
    assert "410" in r.json()["disabled_reason"]
    assert r.json()["version"] == hook["version"] + 1
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "failed"
    # New changes are not queued for it, and nothing more is sent.
    await _create_application(local_client, alice)
    assert len(await all_rows(session, WebhookMessage)) == 1
    assert await worker_pass(now=utcnow() + timedelta(days=1)) == 0
    assert len(receiver.requests) == 1


async def test_five_days_of_failures_disable_the_subscription(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    receiver.script("/hooks", [500] * 10)
    await _create_application(local_client, alice)
    start = utcnow()
    await worker_pass(now=start)

    # Four days on, still failing: still enabled.
    await _create_application(local_client, alice)
    await worker_pass(now=start + timedelta(days=4))
    [subscription] = await all_rows(session, WebhookSubscription)
    assert subscription.enabled
    assert subscription.failing_since == start

    # Five days after the first failure, one more failure disables it.
    await _create_application(local_client, alice)
    await worker_pass(now=start + timedelta(days=5, minutes=1))
    r = await local_client.get(f"/api/v1/webhooks/{hook['id']}", headers=alice.headers)
    assert r.json()["enabled"] is False
    assert "5 days" in r.json()["disabled_reason"]

    # Re-enabling restarts the clock.
    r = await local_client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"enabled": True}, headers=alice.headers
    )
    assert r.json()["enabled"] is True
    assert r.json()["disabled_reason"] is None
    [subscription] = await all_rows(session, WebhookSubscription)
    assert subscription.failing_since is None


async def test_a_success_resets_the_failure_clock(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    receiver.script("/hooks", [500])
    await _create_application(local_client, alice)
    start = utcnow()
    await worker_pass(now=start)
    [subscription] = await all_rows(session, WebhookSubscription)
    assert subscription.failing_since == start

    await worker_pass(now=start + timedelta(minutes=1))
    [subscription] = await all_rows(session, WebhookSubscription)
    assert subscription.failing_since is None
    assert subscription.enabled


async def test_a_message_is_given_up_after_the_last_scheduled_retry(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    receiver.script("/hooks", [500] * MAX_ATTEMPTS)
    await _create_application(local_client, alice)
    rng = random.Random(7)
    now = utcnow()
    for _ in range(MAX_ATTEMPTS):
        assert await worker_pass(now=now, rng=rng) == 1
        [message] = await all_rows(session, WebhookMessage)
        now = message.next_attempt_at

    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert await worker_pass(now=now + timedelta(days=30)) == 0
    assert len(receiver.requests) == MAX_ATTEMPTS == 8


async def test_redirects_are_not_followed(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    receiver.script("/hooks", [302])
    await _create_application(local_client, alice)

    await worker_pass()

    assert [r.path for r in receiver.requests] == ["/hooks"]  # never /moved
    [attempt] = await all_rows(session, WebhookDelivery)
    assert attempt.status_code == 302
    assert "not followed" in str(attempt.error)
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "pending"


async def test_only_the_first_kib_of_the_response_is_kept(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    hook: dict[str, Any],
    worker_pass: WorkerPass,
) -> None:
    receiver.response_body = b"x" * 5000
    await _create_application(local_client, alice)
    await worker_pass()
    [attempt] = await all_rows(session, WebhookDelivery)
    assert attempt.response_body == "x" * 1024


async def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    sessionmaker: async_sessionmaker[AsyncSession],
    hook: dict[str, Any],
) -> None:
    from app.webhooks.queue import claim_due

    await _create_application(local_client, alice)
    now = utcnow()
    lease = timedelta(seconds=60)
    async with sessionmaker() as s:
        first = await claim_due(s, now=now, lease=lease, limit=10)
        await s.commit()
    async with sessionmaker() as s:
        during = await claim_due(s, now=now + timedelta(seconds=59), lease=lease, limit=10)
        after = await claim_due(s, now=now + timedelta(seconds=61), lease=lease, limit=10)
        await s.commit()
    assert len(first) == 1
    assert during == []
    assert [j.message_id for j in after] == [first[0].message_id]
    assert after[0].attempt == 1  # a lost attempt left no log and counts for nothing


async def test_each_subscription_gets_its_own_message(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    receiver: Receiver,
    worker_pass: WorkerPass,
) -> None:
    await subscribe(local_client, alice, receiver.url("/a"))
    await subscribe(local_client, alice, receiver.url("/b"), ["application.created"])
    await subscribe(local_client, alice, receiver.url("/c"), ["reference.created"])
    await subscribe(local_client, bob, receiver.url("/bob"))
    await _create_application(local_client, alice)

    await worker_pass()

    assert sorted(r.path for r in receiver.requests) == ["/a", "/b"]
    bodies = {json.loads(r.body)["type"] for r in receiver.requests}
    assert bodies == {"application.created"}
    assert len(set(receiver.ids())) == 2
