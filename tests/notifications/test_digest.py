"""What a digest holds and when it is due, on the user's own clock (pure functions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.notifications.digest import digest_groups, next_digest_at
from app.policy import Completion, Recommendation

STEP = Recommendation(
    id="rec_x",
    rule="send_thank_you_email",
    title="Send Grace a thank-you email",
    rationale="It shows gratitude and keeps you top of mind.",
    application_id=None,
    interview_id=None,
    interviewer_id=None,
    reference_id=None,
    due_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
    overdue=False,
    priority="high",
    channel=None,
    draft=None,
    completion=Completion(kind="manual", hint=None),
)


@pytest.mark.parametrize(
    ("timezone", "after", "expected_local"),
    [
        # Each at their own 08:00, whatever the UTC date is then.
        ("Pacific/Auckland", datetime(2026, 3, 10, 12, tzinfo=UTC), datetime(2026, 3, 11, 8)),
        ("America/Los_Angeles", datetime(2026, 3, 10, 12, tzinfo=UTC), datetime(2026, 3, 10, 8)),
        ("America/Los_Angeles", datetime(2026, 3, 10, 16, tzinfo=UTC), datetime(2026, 3, 11, 8)),
        ("UTC", datetime(2026, 3, 10, 7, 59, tzinfo=UTC), datetime(2026, 3, 10, 8)),
        # Exactly at 08:00 the digest of that day is being decided: the next is tomorrow's.
        ("UTC", datetime(2026, 3, 10, 8, tzinfo=UTC), datetime(2026, 3, 11, 8)),
        # Across DST changes, still 08:00 on the wall clock.
        ("America/Los_Angeles", datetime(2026, 3, 8, 6, tzinfo=UTC), datetime(2026, 3, 8, 8)),
        ("Pacific/Auckland", datetime(2026, 4, 4, 12, tzinfo=UTC), datetime(2026, 4, 5, 8)),
    ],
)
def test_the_digest_is_due_at_eight_on_the_users_clock(
    timezone: str, after: datetime, expected_local: datetime
) -> None:
    at = next_digest_at(timezone, "08:00", after)
    assert at > after
    assert at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) == expected_local


def test_a_later_digest_time_is_honoured() -> None:
    at = next_digest_at("Europe/Berlin", "18:30", datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert at == datetime(2026, 6, 1, 16, 30, tzinfo=UTC)


def test_steps_are_grouped_overdue_today_tomorrow_and_nothing_later() -> None:
    zone = "Pacific/Auckland"
    now = datetime(2026, 3, 10, 19, tzinfo=UTC)  # 08:00 on the 11th in Auckland
    steps = [
        replace(STEP, id="overdue", due_at=now - timedelta(days=3), overdue=True),
        replace(STEP, id="today", due_at=now + timedelta(hours=10)),  # 18:00 the 11th
        replace(STEP, id="tomorrow", due_at=now + timedelta(hours=20)),  # 04:00 the 12th
        replace(STEP, id="later", due_at=now + timedelta(days=3)),
    ]
    groups = digest_groups(steps, zone, now)
    assert [(g.key, [s.id for s in g.steps]) for g in groups] == [
        ("overdue", ["overdue"]),
        ("today", ["today"]),
        ("tomorrow", ["tomorrow"]),
    ]


def test_nothing_soon_means_no_groups_so_no_digest() -> None:
    now = datetime(2026, 3, 10, 8, tzinfo=UTC)
    assert digest_groups([replace(STEP, due_at=now + timedelta(days=5))], "UTC", now) == []
    assert digest_groups([], "UTC", now) == []
