"""status_inquiry_warnings: why a logged status inquiry goes against the advice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.policy import ApplicationIn, status_inquiry_warnings

from .builders import (
    DAY,
    HOUR,
    T0,
    WEEK,
    event,
    interview,
    interviewed,
    user,
    with_events,
)

ENDS = T0 + HOUR  # the interview ends Monday 3 March 2025, 15:00 UTC
ONCE = with_events(interviewed(), event("status_inquiry", ENDS + WEEK))
TWICE = with_events(ONCE, event("status_inquiry", ENDS + 2 * WEEK))


@pytest.mark.parametrize(
    ("app", "occurred_at", "expected"),
    [
        pytest.param(
            interviewed(),
            ENDS + 3 * DAY,
            [
                "It's only been 3 days since your interview on 3 March; one polite follow-up "
                "after a week of silence is the norm."
            ],
            id="too_soon_three_days_after_the_interview",
        ),
        pytest.param(
            interviewed(),
            ENDS + 2 * HOUR,
            [
                "Your interview on 3 March was less than a day ago; one polite follow-up after "
                "a week of silence is the norm."
            ],
            id="too_soon_the_same_day",
        ),
        pytest.param(interviewed(), ENDS + WEEK, [], id="fine_after_a_silent_week"),
        pytest.param(
            interviewed(expected_response_by=date(2025, 3, 12)),
            ENDS + WEEK + DAY,
            [
                "They said you'd hear back by 12 March; wait until the morning after that "
                "before following up."
            ],
            id="too_soon_before_the_promised_date_has_passed",
        ),
        pytest.param(
            interviewed(expected_response_by=date(2025, 3, 5)),
            datetime(2025, 3, 6, 9, tzinfo=UTC),
            [],
            id="fine_at_9am_the_day_after_the_promised_date",
        ),
        pytest.param(
            ONCE,
            ENDS + WEEK + 2 * DAY,
            [
                "It's only been 2 days since your last follow-up on 10 March; give them a full "
                "week before following up again."
            ],
            id="second_inquiry_too_soon",
        ),
        pytest.param(ONCE, ENDS + 2 * WEEK, [], id="second_inquiry_fine_a_week_later"),
        pytest.param(
            TWICE,
            ENDS + 5 * WEEK,
            [
                "You've already followed up twice since 3 March without a reply; a third "
                "follow-up rarely helps, and it's time to focus on other opportunities."
            ],
            id="a_third_without_a_reply",
        ),
        pytest.param(
            with_events(TWICE, event("reply_received", ENDS + 3 * WEEK, response="positive")),
            ENDS + 4 * WEEK,
            [],
            id="a_reply_resets_the_count",
        ),
        pytest.param(
            with_events(interviewed(), event("reply_received", ENDS + DAY, response="positive")),
            ENDS + 3 * DAY,
            [
                "It's only been 2 days since their last reply on 4 March; one polite follow-up "
                "after a week of silence is the norm."
            ],
            id="too_soon_after_their_reply",
        ),
        pytest.param(
            interviewed(interviews=()),
            T0,
            [
                "You haven't had an interview with Acme yet, so it's too soon to ask for an "
                "update; one polite follow-up after a week of silence is the norm."
            ],
            id="too_soon_without_any_interview",
        ),
        pytest.param(
            interviewed(interviews=(interview(), interview("i2", starts_at=T0 + 2 * WEEK))),
            ENDS + WEEK,
            [
                "Your interview with Acme on 17 March is still to come; ask about next steps "
                "there rather than sending a status inquiry."
            ],
            id="an_interview_is_still_to_come",
        ),
        pytest.param(
            with_events(interviewed(), event("reply_received", ENDS + DAY, response="rejection")),
            ENDS + 2 * WEEK,
            [
                "Acme already came back with a decision on 4 March, so there's no pending "
                "decision to ask about."
            ],
            id="they_already_answered",
        ),
        pytest.param(
            interviewed(status="offer"),
            ENDS + 2 * WEEK,
            [
                "You already have an offer from Acme, so there's no decision to chase; reply "
                "about the offer itself instead."
            ],
            id="offer_in_hand",
        ),
        pytest.param(
            with_events(interviewed(), event("status_inquiry", ENDS + WEEK + DAY)),
            ENDS + WEEK,
            [],
            id="an_inquiry_dated_after_this_one_is_ignored",
        ),
    ],
)
def test_status_inquiry_warnings(
    app: ApplicationIn, occurred_at: datetime, expected: list[str]
) -> None:
    assert status_inquiry_warnings(user(), app, occurred_at) == expected


def test_dates_in_warnings_are_the_users_calendar_days() -> None:
    late = interview(starts_at=datetime(2025, 3, 3, 22, 30, tzinfo=UTC))  # 4 March in Berlin
    app = interviewed(interviews=(late,))
    warnings = status_inquiry_warnings(
        user(timezone="Europe/Berlin"), app, datetime(2025, 3, 5, 12, tzinfo=UTC)
    )
    assert warnings == [
        "It's only been 1 day since your interview on 4 March; one polite follow-up after a "
        "week of silence is the norm."
    ]


def test_occurred_at_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        status_inquiry_warnings(user(), interviewed(), datetime(2025, 3, 5, 12))
