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

Counts are kept in memory by the `limits` library (moving window), so each API process
counts on its own: behind a load balancer with N processes the effective limit is up
to N times the setting. That is fine for a brake on abuse; it is not a quota.
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.core.config import Settings
from app.core.errors import TooManyRequests


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.auth = parse(settings.rate_limit_auth)
        self.inbound = parse(settings.rate_limit_inbound)
        self.inbound_failures = parse(settings.rate_limit_inbound_failures)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, item: RateLimitItem, *key: str) -> None:
        """Count one request against `item` for `key`; 429 with Retry-After when over."""
        if self._limiter.hit(item, *key):
            return
        stats = self._limiter.get_window_stats(item, *key)
        raise TooManyRequests(
            "Too many requests. Wait a little and try again.",
            retry_after_seconds=math.ceil(stats.reset_time - time.time()),
        )


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_auth(request: Request) -> None:
    limits = rate_limits_of(request)
    await limits.hit(limits.auth, "auth", client_address(request))


AuthRateLimit = Annotated[None, Depends(limit_auth)]
