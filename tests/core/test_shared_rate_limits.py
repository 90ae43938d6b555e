"""With FOLLOWUP_REDIS_URL set, the rate limits are counted in Redis and shared by every
API process: two real `followup serve` processes on one database, one Redis.

Each test has its own Redis key prefix (parallel runs can't collide) and deletes its
keys afterwards. Redis must be running (.ci/run starts it): without it these tests fail.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from app.core.config import Settings
from app.core.ratelimit import RateLimits
from app.webhooks.signing import new_secret, signature_headers
from tests.helpers import assert_problem
from tests.web.live_server import serving

REDIS_URL = os.environ.get("FOLLOWUP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RuntimeError(
            f"Redis at {REDIS_URL} is not reachable ({exc}): start it with `{START_REDIS}`"
        ) from exc
    prefix = f"followup-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def _keys(prefix: str) -> list[bytes]:
    with redis.Redis.from_url(REDIS_URL) as client:
        return list(client.scan_iter(match=f"{prefix}:*"))


@contextmanager
def two_servers(workdir: Path, prefix: str, **settings: str) -> Iterator[tuple[str, str]]:
    """Two `followup serve` processes sharing a SQLite database and the Redis limits."""
    env = {
        **os.environ,
        **{f"FOLLOWUP_{name.upper()}": value for name, value in settings.items()},
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{workdir / 'shared.db'}",
        "FOLLOWUP_RUN_WORKER": "false",
        "FOLLOWUP_ENV": "development",
        "FOLLOWUP_REDIS_URL": REDIS_URL,
        "FOLLOWUP_REDIS_KEY_PREFIX": prefix,
    }
    command = [sys.executable, "-m", "app.cli", "serve"]
    with ExitStack() as stack:
        # One after the other: the first one's migration is done when the second starts.
        first = stack.enter_context(serving(command, env, workdir))
        second = stack.enter_context(serving(command, env, workdir))
        yield first, second


def _sign_in(base_url: str, n: int) -> httpx.Response:
    form = {"username": f"nobody{n}@example.com", "password": "wrong password"}
    return httpx.post(f"{base_url}/api/v1/auth/token", data=form, timeout=10)


def test_sign_in_attempts_on_two_processes_share_one_limit(
    tmp_path: Path, redis_prefix: str
) -> None:
    with two_servers(tmp_path, redis_prefix, rate_limit_auth="5/minute") as (first, second):
        for n in range(3):
            assert _sign_in(first, n).status_code == 401
        for n in range(3, 5):
            assert _sign_in(second, n).status_code == 401
        # The 6th attempt from this address: each process has seen only 3 or fewer.
        response = _sign_in(second, 5)
        assert_problem(response, 429)
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert _sign_in(first, 6).status_code == 429
    assert _keys(redis_prefix), "the counts were not kept in Redis"


def _event(secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "type": "application.upserted",
            "timestamp": "2026-11-26T10:00:00Z",
            "data": {"application": {"external_id": "a1", "company": "Acme", "role_title": "Dev"}},
        }
    ).encode()
    headers = signature_headers(secret, f"msg_{uuid.uuid4().hex}", int(time.time()), body)
    return body, {**headers, "content-type": "application/json"}


def _deliver(url: str, secret: str, *, sender: str) -> int:
    """POST a signed event as if from `sender` (uvicorn trusts X-Forwarded-For from
    loopback, as behind a proxy)."""
    body, headers = _event(secret)
    headers["x-forwarded-for"] = sender
    return httpx.post(url, content=body, headers=headers, timeout=10).status_code


def test_inbound_limits_are_shared_and_forgeries_dont_count_against_the_sender(
    tmp_path: Path, redis_prefix: str
) -> None:
    limits = {
        "rate_limit_inbound": "2/minute",
        "rate_limit_inbound_failures": "3/minute",
    }
    with two_servers(tmp_path, redis_prefix, **limits) as (first, second):
        account = {"email": "a@example.com", "password": "a long password", "name": "A"}
        assert httpx.post(f"{first}/api/v1/auth/register", json=account).status_code == 201
        form = {"username": account["email"], "password": account["password"]}
        token = httpx.post(f"{first}/api/v1/auth/token", data=form).json()["access_token"]
        created = httpx.post(
            f"{first}/api/v1/integrations",
            json={"name": "ats"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        path = httpx.URL(created["inbound_url"]).path
        on_first, on_second = f"{first}{path}", f"{second}{path}"

        # Forgeries from one address: 3 failures on the first process use up its limit...
        for _ in range(3):
            assert _deliver(on_first, new_secret(), sender="6.6.6.6") == 401
        # ...on the second process too.
        assert _deliver(on_second, new_secret(), sender="6.6.6.6") == 429
        # The real sender is not refused, even from that address; two signed events
        # (one per process) use up the integration's shared limit of 2.
        assert _deliver(on_second, created["secret"], sender="6.6.6.6") == 202
        assert _deliver(on_first, created["secret"], sender="10.0.0.5") == 202
        assert _deliver(on_second, created["secret"], sender="10.0.0.5") == 429


@pytest.mark.anyio
async def test_an_unreachable_redis_lets_requests_through_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed_port = "redis://127.0.0.1:1/0"
    limits = RateLimits(Settings(redis_url=closed_port, rate_limit_auth="1/minute"))
    for _ in range(3):
        await limits.hit(limits.auth, "auth", "1.2.3.4")  # no 429: not counted at all
    errors = [r for r in caplog.records if r.name == "followup.ratelimit"]
    assert len(errors) == 1, "logged once per outage, not once per request"
    assert "Redis unavailable" in errors[0].getMessage()
