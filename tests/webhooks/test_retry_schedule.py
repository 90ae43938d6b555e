"""FOLLOWUP_WEBHOOK_RETRY_SCALE shrinks the whole retry schedule, jitter included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.core.config import Settings
from app.webhooks.retry import MAX_ATTEMPTS, RETRY_DELAYS, next_attempt_at

FAILED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("attempt", range(1, MAX_ATTEMPTS))
def test_the_scale_multiplies_each_wait(attempt: int) -> None:
    full = next_attempt_at(attempt, FAILED_AT, random.Random(7))
    scaled = next_attempt_at(attempt, FAILED_AT, random.Random(7), scale=0.001)
    assert full is not None
    assert scaled is not None
    assert scaled - FAILED_AT == (full - FAILED_AT) * 0.001
    assert scaled - FAILED_AT <= RETRY_DELAYS[attempt - 1] * 0.001 * 1.2 + timedelta(microseconds=1)


def test_the_scale_still_gives_up_after_the_last_attempt() -> None:
    assert next_attempt_at(MAX_ATTEMPTS, FAILED_AT, scale=0.001) is None


def test_the_scale_defaults_to_the_real_schedule_and_cannot_stretch_it() -> None:
    assert Settings().webhook_retry_scale == 1.0
    with pytest.raises(ValueError, match="webhook_retry_scale"):
        Settings(webhook_retry_scale=2)
