"""Nobody nudges an employer at the weekend: inquiries and interest notes move to Monday 09:00.

The weekend is the user's own, so the same instant can be a Friday in one zone and a Saturday
in another; thanks, notes, reference briefings and withdrawals keep their times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.policy import ApplicationIn, status_inquiry_warnings
from app.policy.horizon import JUST_AFTER, stable_until

from .builders import (
    DAY,
    HOUR,
    WEEK,
    application,
    event,
    interview,
    interviewed,
    of_rule,
    only,
    person,
    reference,
    run,
    user,
    with_events,
)


def _ending_at(ends: datetime, **fields: object) -> ApplicationIn:
    """The usual one-interview application, its interview ending at `ends`."""
    return interviewed(interviews=(interview(starts_at=ends - HOUR),), **fields)


# (timezone, the application, when the first inquiry is due, in UTC)
FIRST_INQUIRY = [
    pytest.param(
        "Europe/Berlin",
        # Promised Friday 28 March; the clocks go forward on Sunday the 30th.
        _ending_at(datetime(2025, 3, 26, 15, tzinfo=UTC), expected_response_by=date(2025, 3, 28)),
        datetime(2025, 3, 31, 7, tzinfo=UTC),
        id="berlin_saturday_morning_moves_to_monday_after_clocks_go_forward",
    ),
    pytest.param(
        "America/New_York",
        # Promised Friday 31 October; the clocks go back on Sunday 2 November.
        _ending_at(datetime(2025, 10, 29, 18, tzinfo=UTC), expected_response_by=date(2025, 10, 31)),
        datetime(2025, 11, 3, 14, tzinfo=UTC),
        id="new_york_saturday_morning_moves_to_monday_after_clocks_go_back",
    ),
    pytest.param(
        "Europe/London",
        # Promised Saturday: the morning after is a Sunday, and Monday is the next day.
        _ending_at(datetime(2025, 3, 4, 15, tzinfo=UTC), expected_response_by=date(2025, 3, 8)),
        datetime(2025, 3, 10, 9, tzinfo=UTC),
        id="sunday_morning_moves_one_day_not_a_week",
    ),
    pytest.param(
        "Europe/London",
        _ending_at(datetime(2025, 3, 4, 15, tzinfo=UTC), expected_response_by=date(2025, 3, 6)),
        datetime(2025, 3, 7, 9, tzinfo=UTC),
        id="friday_morning_stays",
    ),
    pytest.param(
        "Pacific/Auckland",
        # Ends Friday 7 March 13:00 UTC, which is already Saturday 02:00 in Auckland; a silent
        # week later is Saturday there again, though Friday in UTC.
        _ending_at(datetime(2025, 3, 7, 13, tzinfo=UTC)),
        datetime(2025, 3, 16, 20, tzinfo=UTC),  # Monday 17 March 09:00 NZDT
        id="auckland_saturday_that_is_friday_in_utc",
    ),
    pytest.param(
        "UTC",
        _ending_at(datetime(2025, 3, 7, 13, tzinfo=UTC)),
        datetime(2025, 3, 14, 13, tzinfo=UTC),
        id="the_same_instant_is_a_friday_in_utc_and_stays",
    ),
    pytest.param(
        "America/Los_Angeles",
        # Saturday 01:00 UTC is still Friday 17:00 in Los Angeles: not a weekend there.
        _ending_at(datetime(2025, 3, 8, 1, tzinfo=UTC)),
        datetime(2025, 3, 15, 1, tzinfo=UTC),
        id="los_angeles_friday_evening_that_is_saturday_in_utc",
    ),
    pytest.param(
        "Pacific/Auckland",
        # Promised Friday 4 April; New Zealand's clocks go back on Sunday the 6th (UTC+12 after).
        _ending_at(datetime(2025, 4, 1, 2, tzinfo=UTC), expected_response_by=date(2025, 4, 4)),
        datetime(2025, 4, 6, 21, tzinfo=UTC),  # Monday 7 April 09:00 NZST
        id="auckland_monday_after_clocks_go_back",
    ),
]


@pytest.mark.parametrize(("timezone", "app", "due"), FIRST_INQUIRY)
def test_first_inquiry_never_lands_on_the_users_weekend(
    timezone: str, app: ApplicationIn, due: datetime
) -> None:
    ends = app.interviews[0].ends_at
    rec = only(run(app, as_of=ends, who=user(timezone=timezone)), "send_status_inquiry")
    assert rec.due_at == due


# Interview ends Tuesday 4 March 2025, 15:00 UTC; the user lives in London (GMT in March).
ENDS = datetime(2025, 3, 4, 15, tzinfo=UTC)
LONDON = user(timezone="Europe/London")


@pytest.mark.parametrize(
    ("first_sent", "second_due"),
    [
        pytest.param(
            datetime(2025, 3, 11, 16, tzinfo=UTC),
            datetime(2025, 3, 18, 16, tzinfo=UTC),
            id="a_tuesday_inquiry_a_week_later",
        ),
        pytest.param(
            # Sent on a Sunday anyway: a week later is a Sunday, so Monday morning.
            datetime(2025, 3, 16, 16, tzinfo=UTC),
            datetime(2025, 3, 24, 9, tzinfo=UTC),
            id="a_sunday_inquiry_moves_the_second_to_monday",
        ),
        pytest.param(
            # The first was due Saturday, moved to Monday 09:00, and sent at 11:30: the week
            # counts from 11:30 Monday, not from the Saturday it was first due.
            datetime(2025, 3, 17, 11, 30, tzinfo=UTC),
            datetime(2025, 3, 24, 11, 30, tzinfo=UTC),
            id="counts_from_the_first_ones_actual_time",
        ),
    ],
)
def test_second_inquiry_counts_from_the_first_ones_actual_time(
    first_sent: datetime, second_due: datetime
) -> None:
    app = with_events(
        _ending_at(ENDS, expected_response_by=date(2025, 3, 7)),
        event("status_inquiry", first_sent),
    )
    rec = only(run(app, as_of=first_sent, who=LONDON), "send_status_inquiry")
    assert rec.title.endswith("a second time")
    assert rec.due_at == second_due


def test_the_rationale_names_the_working_morning_when_the_day_after_is_a_weekend() -> None:
    app = _ending_at(ENDS, expected_response_by=date(2025, 3, 7))  # a Friday
    rec = only(run(app, as_of=ENDS, who=LONDON), "send_status_inquiry")
    assert rec.due_at == datetime(2025, 3, 10, 9, tzinfo=UTC)
    assert "next working morning" in rec.rationale
    assert "next morning is right" not in rec.rationale


@pytest.mark.parametrize(
    ("timezone", "starts", "due"),
    [
        pytest.param(
            "Europe/London",
            datetime(2025, 3, 6, 10, tzinfo=UTC),  # Thursday: three days on is Sunday
            datetime(2025, 3, 10, 9, tzinfo=UTC),
            id="thursday_interview_note_on_monday",
        ),
        pytest.param(
            "Europe/London",
            datetime(2025, 3, 4, 10, tzinfo=UTC),  # Tuesday: three days on is Friday
            datetime(2025, 3, 7, 10, tzinfo=UTC),
            id="tuesday_interview_note_on_friday",
        ),
        pytest.param(
            "Pacific/Auckland",
            datetime(2025, 3, 4, 12, tzinfo=UTC),  # Wed 01:00 NZDT; three days on is Sat there
            datetime(2025, 3, 9, 20, tzinfo=UTC),  # Monday 10 March 09:00 NZDT
            id="auckland_saturday_that_is_friday_in_utc",
        ),
    ],
)
def test_share_mutual_interest_waits_for_a_weekday(
    timezone: str, starts: datetime, due: datetime
) -> None:
    app = interviewed(
        interviews=(interview(starts_at=starts, mutual_interests="open-source funding"),)
    )
    recs = run(app, as_of=starts + HOUR, who=user(timezone=timezone))
    assert only(recs, "share_mutual_interest").due_at == due


def test_thanks_and_briefings_keep_their_weekend_times() -> None:
    """Sooner is better for them: a thank-you due on Saturday stays due on Saturday."""
    friday_evening = datetime(2025, 3, 7, 17, tzinfo=UTC)
    asked = datetime(2025, 3, 8, 10, tzinfo=UTC)  # a Saturday
    app = _ending_at(
        friday_evening,
        references_requested_at=asked,
        reference_ids=("r1",),
        interviewers=(person(),),
    )
    recs = run(app, as_of=friday_evening, references=[reference()], who=LONDON)
    assert only(recs, "send_thank_you_email").due_at == friday_evening + DAY
    assert only(recs, "send_handwritten_note").due_at == friday_evening + 2 * DAY
    assert only(recs, "brief_reference").due_at == asked + DAY


def test_withdrawal_keeps_its_weekend_time() -> None:
    accepted_at = datetime(2025, 3, 8, 11, tzinfo=UTC)  # Saturday
    won = application(
        "won",
        status="accepted",
        events=(event("status_changed", accepted_at, to_status="accepted"),),
    )
    other = application("other", status="applied")
    recs = run(won, other, as_of=accepted_at + HOUR, who=LONDON)
    assert only(recs, "withdraw_gracefully").due_at == accepted_at + DAY


def test_the_horizon_is_the_monday_not_the_saturday() -> None:
    """The cache and the scheduler wake when the step falls due, i.e. on the moved instant."""
    app = _ending_at(ENDS, expected_response_by=date(2025, 3, 7))
    saturday = datetime(2025, 3, 8, 9, tzinfo=UTC)
    monday = datetime(2025, 3, 10, 9, tzinfo=UTC)
    as_of = saturday - HOUR
    recs = run(app, as_of=as_of, who=LONDON)
    assert not only(recs, "send_status_inquiry").overdue
    # Walk the horizons across the weekend: none of them is the unmoved Saturday instant.
    moment, horizons = as_of, []
    while moment <= monday:
        moment = stable_until(LONDON, [app], moment, run(app, as_of=moment, who=LONDON))
        horizons.append(moment)
    assert monday + JUST_AFTER in horizons
    assert saturday + JUST_AFTER not in horizons
    after = run(app, as_of=monday + JUST_AFTER, who=LONDON)
    assert only(after, "send_status_inquiry").overdue
    assert [r.due_at for r in of_rule(after, "send_status_inquiry")] == [monday]


def test_a_week_of_silence_ending_on_sunday_is_due_monday_morning() -> None:
    ends = datetime(2025, 3, 2, 12, tzinfo=UTC)  # a Sunday
    recs = run(_ending_at(ends), as_of=ends, who=LONDON)
    assert only(recs, "send_status_inquiry").due_at == ends + WEEK + DAY - 3 * HOUR


def test_an_inquiry_sent_on_the_weekend_is_not_called_too_soon() -> None:
    """Advice moves to Monday, but a Saturday inquiry after a silent week isn't premature."""
    app = _ending_at(datetime(2025, 3, 1, 11, tzinfo=UTC))  # a silent week ends Saturday 8th
    saturday = datetime(2025, 3, 8, 12, tzinfo=UTC)
    assert status_inquiry_warnings(LONDON, app, saturday) == []
    assert status_inquiry_warnings(LONDON, app, saturday - DAY) != []
