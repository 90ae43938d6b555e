"""Webhook targets on non-public addresses are refused, at subscribe and at send (docs/webhooks.md).

No test here reaches anything but 127.0.0.1: "public" answers come from an injected
resolver and are never connected to.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import WebhookDelivery, WebhookMessage, WebhookSubscription
from app.webhooks.schemas import WebhookCreate
from app.webhooks.service import create_subscription, send_test
from app.webhooks.targets import Target, non_public_kind, pinned_request, resolve_target
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_webhook
from tests.helpers import assert_problem
from tests.webhooks.helpers import WorkerPass, all_rows, deliver, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
URL = "/api/v1/webhooks"
PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[::1]:9000/hook", "::1 is a loopback address"),
        ("http://localhost:8000/hook", "localhost resolves to"),
        ("http://[::ffff:127.0.0.1]/hook", "is a loopback address"),
        ("http://[2002:7f00:1::]/hook", "2002:7f00:1:: is a loopback address"),
        ("http://[64:ff9b::a9fe:a9fe]/latest", "is a link-local address"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
    ],
)
async def test_non_public_targets_are_refused_at_subscribe(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    session: AsyncSession,
    url: str,
    reason: str,
) -> None:
    before = await snapshot(session)
    r = await client.post(URL, json={"url": url, "events": ["*"]}, headers=alice.headers)
    body = assert_problem(r, 422, loc="body.url")
    assert reason in body["detail"]
    assert await snapshot(session) == before


async def test_changing_the_url_to_a_private_one_is_refused(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, hook: dict[str, Any]
) -> None:
    before = await snapshot(session)
    r = await client.patch(
        f"{URL}/{hook['id']}", json={"url": "http://10.1.2.3/x"}, headers=alice.headers
    )
    assert_problem(r, 422, loc="body.url")
    assert await snapshot(session) == before


@pytest.mark.parametrize("path", ["/hooks", "/named"])
async def test_non_public_targets_are_refused_at_send(
    local_client: httpx.AsyncClient,
    alice: UserWithToken,
    receiver: Receiver,
    session: AsyncSession,
    worker_pass: WorkerPass,
    path: str,
) -> None:
    # Subscribed while private targets were allowed; the worker runs without that setting.
    url = receiver.url(path)
    if path == "/named":
        url = url.replace("127.0.0.1", "localhost")
    await subscribe(local_client, alice, url)
    await local_client.post(
        "/api/v1/applications", json={"company": "A", "role_title": "B"}, headers=alice.headers
    )

    await worker_pass(allow_private=False)

    assert receiver.requests == []
    [attempt] = await all_rows(session, WebhookDelivery)
    assert attempt.status_code is None
    assert str(attempt.error).startswith("Not sent: ")
    assert "loopback address" in str(attempt.error)
    [message] = await all_rows(session, WebhookMessage)
    assert message.status == "pending"  # DNS may change back: it is retried


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hook", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[::1]:9/hook", "::1 is a loopback address"),
        ("http://localhost:9/hook", "localhost resolves to"),
    ],
)
async def test_each_non_public_target_is_refused_at_send_without_a_request(
    alice: UserWithToken,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    url: str,
    reason: str,
) -> None:
    # Stored as if DNS or the setting had changed since it was subscribed.
    subscription = await create_webhook(session, alice.user, url=url)
    async with sessionmaker() as s:
        await send_test(s, await s.get_one(WebhookSubscription, subscription.id))
        await s.commit()
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    # A transport that never touches the network, whatever the code under test does.
    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as offline:
        await deliver(sessionmaker, offline, allow_private=False)

    assert sent == []
    [attempt] = await all_rows(session, WebhookDelivery)
    assert reason in str(attempt.error)


async def test_a_host_that_later_resolves_to_a_private_address_is_refused_at_send(
    alice: UserWithToken,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    worker_pass: WorkerPass,
) -> None:
    answers = {"hooks.example": [PUBLIC]}

    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    data = WebhookCreate(url="http://hooks.example/in", events=["*"])
    async with sessionmaker() as s:
        subscription = await create_subscription(
            s, alice.user, data, allow_private=False, resolver=resolver
        )
        await s.commit()
        await send_test(s, subscription)
        await s.commit()
    answers["hooks.example"] = ["127.0.0.1"]  # a DNS rebinding

    await worker_pass(allow_private=False, resolver=resolver)

    assert receiver.requests == []
    [attempt] = await all_rows(session, WebhookDelivery)
    assert "hooks.example resolves to 127.0.0.1" in str(attempt.error)


async def test_every_resolved_address_must_be_public() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return [PUBLIC, "10.0.0.7"]

    with pytest.raises(Exception, match=r"resolves to 10\.0\.0\.7, which is a private"):
        await resolve_target("https://mixed.example/x", allow_private=False, resolver=resolver)
    target = await resolve_target("https://mixed.example/x", allow_private=True, resolver=resolver)
    assert target.address is None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("fd00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        (PUBLIC, None),
        ("2606:4700::1111", None),
    ],
)
def test_address_classification(address: str, kind: str | None) -> None:
    assert non_public_kind(ipaddress.ip_address(address)) == kind


# Teredo: 2001:0:<server>:<flags>:<port>:<client XOR ffff:ffff>; this server is public.
TEREDO = "2001:0:4136:e378:8000:63bf:"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        # IPv4-mapped, ::ffff:0:0/96
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:192.168.0.1", "private"),
        (f"::ffff:{PUBLIC}", None),
        # 6to4, 2002::/16: the IPv4 address is bits 16-48
        ("2002:7f00:1::", "loopback"),
        ("2002:7f00:1:ffff::1", "loopback"),
        ("2002:a00:1::", "private"),
        ("2002:a9fe:a9fe::", "link-local"),
        ("2002:6440:1::", "non-public"),
        ("2002::", "unspecified"),
        ("2002:5db8:d70e::1", None),
        # NAT64, 64:ff9b::/96: the last 32 bits
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::10.1.2.3", "private"),
        ("64:ff9b::169.254.169.254", "link-local"),
        (f"64:ff9b::{PUBLIC}", None),
        # Teredo, 2001::/32: the client's address (obfuscated) and the server's
        (f"{TEREDO}80ff:fffe", "loopback"),  # client 127.0.0.1
        (f"{TEREDO}f5ff:fffe", "private"),  # client 10.0.0.1
        ("2001:0:a00:1:8000:63bf:a247:28f1", "private"),  # server 10.0.0.1
        (f"{TEREDO}a247:28f1", None),  # client 93.184.215.14, server public
    ],
)
def test_an_ipv6_address_carrying_an_ipv4_one_is_judged_by_it(
    address: str, kind: str | None
) -> None:
    assert non_public_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address", ["2002:7f00:1::", "64:ff9b::7f00:1", f"{TEREDO}80ff:fffe", "::ffff:127.0.0.1"]
)
async def test_a_host_resolving_to_a_disguised_loopback_is_refused(address: str) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return [address]

    with pytest.raises(
        Exception,
        match=re.escape(f"resolves to {ipaddress.ip_address(address)}, which is a loopback"),
    ):
        await resolve_target("https://sneaky.example/x", allow_private=False, resolver=resolver)


async def test_requests_are_pinned_to_the_checked_address() -> None:
    async with httpx.AsyncClient() as client:
        await _check_pinning(client)


async def _check_pinning(client: httpx.AsyncClient) -> None:
    target = Target(url="https://hooks.example:8443/in?x=1", host="hooks.example", address=PUBLIC)
    request = pinned_request(client, target, b"{}", {"webhook-id": "msg_1"})
    assert str(request.url) == f"https://{PUBLIC}:8443/in?x=1"
    assert request.headers["host"] == "hooks.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.example"
    assert request.headers["webhook-id"] == "msg_1"
    v6 = Target(url="http://hooks.example/in", host="hooks.example", address="2606:4700::1111")
    assert str(pinned_request(client, v6, b"", {}).url) == "http://[2606:4700::1111]/in"
