"""Request-rate limits on the endpoints anyone can call without an account: sign-up and
sign-in (per client address) and the inbound webhook receiver.

They sit in front of the per-account login throttle (app.auth.throttle): that one stops
guessing one account's password; these stop spraying many accounts from one address,
mass sign-ups, and an integration (or someone replaying its URL) flooding the database.

The inbound receiver checks the signature first (app.integrations.inbound): only
correctly signed requests count against the integration's limit, and the ones that fail
count against a separate limit per client address. So forged requests, from wherever,
can't use up the real sender's allowance; the price is that each of them costs one
lookup of the integration.

Counts are kept by the `limits` library (moving window). With `FOLLOWUP_REDIS_URL` set
they live in Redis and every API process shares them. Without it each process counts in
its own memory: behind a load balancer with N processes the effective limit is then up
to N times the setting. That is fine for a brake on abuse; it is not a quota. If Redis
can't be reached, requests are let through (and that is logged): the limits are a brake,
and the per-account login throttle, kept in the database, still holds.
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import logging
import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as SharedLimiter
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.core.config import Settings
from app.core.errors import TooManyRequests

logger = logging.getLogger("followup.ratelimit")

# A Redis that doesn't answer must not hold requests up for long.
REDIS_TIMEOUT_SECONDS = 1.0


def redis_storage(url: str, key_prefix: str) -> RedisStorage:
    """`limits`' asyncio Redis storage (the `redis` client) for a `redis://` URL."""
    uri = url if url.startswith("async+") else f"async+{url}"
    return RedisStorage(
        uri,
        implementation="redispy",
        key_prefix=key_prefix,
        wrap_exceptions=True,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.auth = parse(settings.rate_limit_auth)
        self.inbound = parse(settings.rate_limit_inbound)
        self.inbound_failures = parse(settings.rate_limit_inbound_failures)
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._shared = (
            SharedLimiter(redis_storage(settings.redis_url, settings.redis_key_prefix))
            if settings.redis_url
            else None
        )
        self._shared_failing = False

    async def hit(self, item: RateLimitItem, *key: str) -> None:
        """Count one request against `item` for `key`; 429 with Retry-After when over."""
        allowed, reset_time = await self._hit(item, *key)
        if allowed:
            return
        raise TooManyRequests(
            "Too many requests. Wait a little and try again.",
            retry_after_seconds=max(1, math.ceil(reset_time - time.time())),
        )

    async def _hit(self, item: RateLimitItem, *key: str) -> tuple[bool, float]:
        if self._shared is None:
            if self._local.hit(item, *key):
                return True, 0.0
            return False, self._local.get_window_stats(item, *key).reset_time
        try:
            if await self._shared.hit(item, *key):
                allowed, reset_time = True, 0.0
            else:
                allowed = False
                reset_time = (await self._shared.get_window_stats(item, *key)).reset_time
        except StorageError as exc:
            if not self._shared_failing:
                logger.error("rate limits: Redis unavailable, not limiting until it is: %s", exc)
            self._shared_failing = True
            return True, 0.0
        if self._shared_failing:
            logger.warning("rate limits: Redis is back")
            self._shared_failing = False
        return allowed, reset_time


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_auth(request: Request) -> None:
    limits = rate_limits_of(request)
    await limits.hit(limits.auth, "auth", client_address(request))


AuthRateLimit = Annotated[None, Depends(limit_auth)]
