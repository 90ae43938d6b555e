"""send_status_inquiry, move_on, reply_graciously: the silence clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.policy import ApplicationIn

from .builders import (
    DAY,
    HOUR,
    SECOND,
    T0,
    WEEK,
    event,
    interview,
    interviewed,
    of_rule,
    only,
    run,
    user,
    with_events,
)
from .expect import Open, normalised, open_steps

ENDS = T0 + HOUR
FIRST = ENDS + WEEK + DAY  # a first inquiry, sent a day after it was due
SECOND_INQUIRY = FIRST + WEEK + HOUR
INQUIRED_ONCE = with_events(interviewed(), event("status_inquiry", FIRST))
INQUIRED_TWICE = with_events(INQUIRED_ONCE, event("status_inquiry", SECOND_INQUIRY))
REPLY = SECOND_INQUIRY + 2 * DAY


def _reply(response: str, at: datetime = REPLY) -> ApplicationIn:
    return with_events(INQUIRED_TWICE, event("reply_received", at, response=response))


CASES = [
    # send_status_inquiry ----------------------------------------------------------------
    pytest.param(
        "send_status_inquiry",
        interviewed(),
        ENDS,
        [Open(ENDS + WEEK, "i1")],
        id="first_inquiry_due_a_silent_week_after_the_interview",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(status="applied"),
        ENDS,
        [Open(ENDS + WEEK, "i1")],
        id="inquiry_also_while_status_is_applied",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(expected_response_by=date(2025, 3, 6)),
        ENDS,
        [Open(datetime(2025, 3, 7, 9, tzinfo=UTC), "i1")],
        id="first_inquiry_at_9am_the_day_after_the_promised_date",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(expected_response_by=date(2025, 2, 20)),
        ENDS,
        [Open(ENDS + WEEK, "i1")],
        id="a_promised_date_already_past_at_the_interview_falls_back_to_a_week",
    ),
    pytest.param(
        "send_status_inquiry",
        INQUIRED_ONCE,
        FIRST,
        [Open(FIRST + WEEK, "i1")],
        id="second_inquiry_due_a_week_after_the_first",
    ),
    pytest.param(
        "send_status_inquiry",
        INQUIRED_TWICE,
        SECOND_INQUIRY + 30 * DAY,
        [],
        id="no_third_inquiry_after_two_unanswered",
    ),
    pytest.param(
        "send_status_inquiry",
        with_events(interviewed(), event("status_inquiry", ENDS - DAY)),
        ENDS,
        [Open(ENDS + WEEK, "i1")],
        id="inquiries_before_the_silence_clock_are_not_counted",
    ),
    pytest.param(
        "send_status_inquiry",
        _reply("positive"),
        REPLY,
        [Open(REPLY + WEEK, "i1")],
        id="a_reply_resets_the_count_and_restarts_the_clock",
    ),
    pytest.param(
        "send_status_inquiry",
        with_events(
            interviewed(expected_response_by=date(2025, 3, 20)),
            event("reply_received", ENDS + DAY, response="positive"),
        ),
        ENDS + DAY,
        [Open(ENDS + DAY + WEEK, "i1")],
        id="after_a_reply_the_promised_date_no_longer_sets_the_first_inquiry",
    ),
    pytest.param(
        "send_status_inquiry",
        with_events(interviewed(), event("reply_received", ENDS + DAY, response="offer")),
        ENDS + 30 * DAY,
        [],
        id="no_inquiry_after_an_offer_reply",
    ),
    pytest.param(
        "send_status_inquiry",
        with_events(interviewed(), event("reply_received", ENDS + DAY, response="rejection")),
        ENDS + 30 * DAY,
        [],
        id="no_inquiry_after_a_rejection_reply",
    ),
    pytest.param(
        "send_status_inquiry",
        with_events(
            interviewed(
                interviews=(interview("i1"), interview("i2", starts_at=T0 + 3 * WEEK)),
            ),
            event("reply_received", ENDS + DAY, response="rejection"),
        ),
        T0 + 3 * WEEK + HOUR,
        [Open(T0 + 3 * WEEK + HOUR + WEEK, "i2")],
        id="an_answer_before_the_last_interview_does_not_stop_inquiries",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(interviews=(interview("i1"), interview("i2", starts_at=T0 + 3 * WEEK))),
        ENDS + WEEK,
        [],
        id="no_inquiry_while_an_interview_is_still_to_come",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(interviews=(interview("i1"), interview("i2", starts_at=T0 + 3 * WEEK))),
        T0 + 3 * WEEK + 30 * 60 * SECOND,
        [],
        id="an_interview_in_progress_counts_as_still_to_come",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(),
        ENDS - SECOND,
        [],
        id="no_inquiry_before_any_interview_has_ended",
    ),
    pytest.param(
        "send_status_inquiry",
        interviewed(status="offer"),
        ENDS + WEEK,
        [],
        id="no_inquiry_with_an_offer_in_hand",
    ),
    # move_on ----------------------------------------------------------------------------
    pytest.param(
        "move_on",
        INQUIRED_TWICE,
        SECOND_INQUIRY,
        [Open(SECOND_INQUIRY + WEEK, "i1")],
        id="move_on_a_week_after_the_second_unanswered_inquiry",
    ),
    pytest.param(
        "move_on",
        INQUIRED_ONCE,
        FIRST + 30 * DAY,
        [],
        id="no_move_on_after_a_single_inquiry",
    ),
    pytest.param(
        "move_on",
        _reply("noncommittal"),
        REPLY,
        [],
        id="a_reply_after_two_inquiries_cancels_move_on",
    ),
    # reply_graciously -------------------------------------------------------------------
    pytest.param(
        "reply_graciously",
        _reply("noncommittal"),
        REPLY,
        # Addressed to the main contact: here the only interviewer, Jane (p1).
        [Open(REPLY + DAY, interviewer_id="p1")],
        id="noncommittal_reply_gets_a_gracious_answer_within_24h",
    ),
    pytest.param(
        "reply_graciously",
        _reply("positive"),
        REPLY,
        [],
        id="positive_reply_needs_no_gracious_answer",
    ),
    pytest.param(
        "reply_graciously",
        with_events(_reply("noncommittal"), event("thank_you_email", REPLY + HOUR)),
        REPLY + 2 * HOUR,
        [],
        id="reply_graciously_done_by_an_email_to_the_employer",
    ),
    pytest.param(
        "reply_graciously",
        with_events(_reply("noncommittal"), event("status_inquiry", REPLY + HOUR)),
        REPLY + 2 * HOUR,
        [],
        id="reply_graciously_done_by_an_inquiry",
    ),
    pytest.param(
        "reply_graciously",
        with_events(_reply("noncommittal"), event("note", REPLY + HOUR)),
        REPLY + 2 * HOUR,
        [Open(REPLY + DAY, interviewer_id="p1")],
        id="a_private_note_is_not_an_answer_to_the_employer",
    ),
    pytest.param(
        "reply_graciously",
        with_events(
            _reply("noncommittal"), event("reply_received", REPLY + DAY, response="positive")
        ),
        REPLY + DAY,
        [],
        id="only_the_last_reply_counts",
    ),
    pytest.param(
        "reply_graciously",
        with_events(interviewed(), event("reply_received", REPLY, response="noncommittal")),
        REPLY - SECOND,
        [],
        id="a_reply_after_as_of_is_ignored",
    ),
]


@pytest.mark.parametrize(("rule", "app", "as_of", "expected"), CASES)
def test_silence_rules(
    rule: str, app: ApplicationIn, as_of: datetime, expected: list[Open]
) -> None:
    assert open_steps(run(app, as_of=as_of), rule) == normalised(expected)


@pytest.mark.parametrize(
    ("timezone", "promised", "due_utc"),
    [
        # Weekday mornings only: a morning after that falls on a weekend is test_weekends' job.
        pytest.param(
            "Europe/Berlin",
            date(2025, 3, 27),
            datetime(2025, 3, 28, 8, tzinfo=UTC),
            id="berlin_9am_is_8_utc_before_the_march_change",
        ),
        pytest.param(
            "Europe/Berlin",
            date(2025, 3, 30),
            datetime(2025, 3, 31, 7, tzinfo=UTC),
            id="berlin_9am_is_7_utc_the_day_after_clocks_go_forward",
        ),
        pytest.param(
            "America/New_York",
            date(2025, 10, 30),
            datetime(2025, 10, 31, 13, tzinfo=UTC),
            id="new_york_9am_is_13_utc_before_the_november_change",
        ),
        pytest.param(
            "America/New_York",
            date(2025, 11, 2),
            datetime(2025, 11, 3, 14, tzinfo=UTC),
            id="new_york_9am_is_14_utc_the_day_after_clocks_go_back",
        ),
        pytest.param(
            "Asia/Kolkata",
            date(2025, 3, 6),
            datetime(2025, 3, 7, 3, 30, tzinfo=UTC),
            id="kolkata_half_hour_offset",
        ),
    ],
)
def test_first_inquiry_is_9am_user_local_the_day_after_the_promised_date_across_dst(
    timezone: str, promised: date, due_utc: datetime
) -> None:
    start = datetime.combine(promised, datetime.min.time(), tzinfo=UTC) - 3 * DAY
    app = interviewed(expected_response_by=promised, interviews=(interview(starts_at=start),))
    rec = only(run(app, as_of=start + 2 * HOUR, who=user(timezone=timezone)), "send_status_inquiry")
    assert rec.due_at == due_utc
    assert rec.due_at.tzinfo is UTC


def test_first_and_second_inquiry_are_distinct_situations() -> None:
    first = only(run(interviewed(), as_of=ENDS + WEEK), "send_status_inquiry")
    second = only(run(INQUIRED_ONCE, as_of=FIRST), "send_status_inquiry")
    assert first.id != second.id
    assert first.draft is not None
    assert second.draft is not None
    assert "my note from" in second.draft.body
    assert "my note from" not in first.draft.body


def test_inquiry_after_a_reply_is_a_new_situation() -> None:
    before = only(run(interviewed(), as_of=ENDS + DAY), "send_status_inquiry")
    after = only(
        run(
            with_events(interviewed(), event("reply_received", ENDS + DAY, response="positive")),
            as_of=ENDS + DAY,
        ),
        "send_status_inquiry",
    )
    assert before.id != after.id


def test_inquiry_id_is_stable_as_time_passes() -> None:
    ids = {
        only(run(interviewed(), as_of=ENDS + offset), "send_status_inquiry").id
        for offset in (HOUR, DAY, 3 * WEEK)
    }
    assert len(ids) == 1


@pytest.mark.parametrize(
    ("said", "channel"),
    [
        pytest.param(None, "email", id="email_by_default"),
        pytest.param("Message me on LinkedIn", "linkedin", id="linkedin_when_they_said_so"),
        pytest.param("Give me a call", "phone", id="phone_when_they_said_so"),
        pytest.param("E-mail Sam", "email", id="email_when_they_said_so"),
    ],
)
def test_inquiry_uses_the_follow_up_channel_they_gave(said: str | None, channel: str) -> None:
    rec = only(run(interviewed(follow_up_channel=said), as_of=ENDS), "send_status_inquiry")
    assert rec.channel == channel
    assert rec.completion.event_type == "status_inquiry"
    assert rec.completion.channel == channel
    assert rec.draft is not None
    assert (rec.draft.subject is not None) == (channel == "email")
    if said:
        assert said in rec.rationale


def test_move_on_closes_the_application() -> None:
    rec = only(run(INQUIRED_TWICE, as_of=SECOND_INQUIRY), "move_on")
    assert rec.completion.kind == "status"
    assert rec.completion.status == "closed"
    assert rec.draft is None
    assert "two" in rec.rationale


def test_reply_graciously_draft_thanks_them_and_its_completion_is_an_email() -> None:
    rec = only(run(_reply("noncommittal", at=REPLY), as_of=REPLY), "reply_graciously")
    assert rec.draft is not None
    assert "Thank you for the update" in rec.draft.body
    assert rec.completion.event_type == "thank_you_email"
    assert rec.completion.interviewer_id is None


def test_silence_rules_skip_applications_that_are_not_active() -> None:
    for status in ("accepted", "rejected", "withdrawn", "closed"):
        recs = run(
            with_events(
                interviewed(status=status), event("reply_received", REPLY, response="noncommittal")
            ),
            as_of=REPLY + 30 * DAY,
        )
        assert of_rule(recs, "send_status_inquiry") == []
        assert of_rule(recs, "reply_graciously") == []


@pytest.mark.parametrize(
    ("promised", "says"),
    [
        pytest.param(date(2025, 3, 6), "They said you'd hear back by 6 March", id="promise_stands"),
        pytest.param(date(2025, 2, 20), "A silent week", id="stale_promise_is_not_quoted"),
        pytest.param(None, "A silent week", id="no_promise"),
    ],
)
def test_first_inquiry_rationale_explains_its_timing(promised: date | None, says: str) -> None:
    rec = only(run(interviewed(expected_response_by=promised), as_of=ENDS), "send_status_inquiry")
    assert rec.rationale.startswith(says)
