"""When to try again, and when to give up on a message or a subscription."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# Waits before attempts 2..8, from seconds (a blip) to a day's worth in all (an outage);
# after the 8th failure the message is given up (docs/webhooks.md).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# ±20 %, so a receiver that was down doesn't get every queued message in the same second.
JITTER = 0.2
DISABLE_AFTER = timedelta(days=5)


def next_attempt_at(
    attempt: int,
    failed_at: datetime,
    rng: random.Random | None = None,
    scale: float = 1.0,
) -> datetime | None:
    """When to make the attempt after failed attempt number `attempt`; None: give up.

    `scale` shrinks the whole schedule (FOLLOWUP_WEBHOOK_RETRY_SCALE), so a test can
    watch a receiver come back without waiting five minutes.
    """
    if attempt >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[max(attempt, 1) - 1] * scale
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return failed_at + delay * factor


def is_success(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
