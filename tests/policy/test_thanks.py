"""Thank-you email, handwritten note, LinkedIn connection, mutual interest."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.policy import ApplicationIn

from .builders import (
    DAY,
    HOUR,
    SECOND,
    T0,
    event,
    interview,
    interviewed,
    of_rule,
    only,
    person,
    run,
    with_events,
)
from .expect import Open, normalised, open_steps

ENDS = T0 + HOUR
BOB = person("p2", "Bob Stone", title=None, linkedin_url="https://www.linkedin.com/in/bob")
PANEL = interviewed(
    interviewers=(person(), BOB), interviews=(interview(interviewers=("p1", "p2")),)
)
ROUND_TWO = T0 + 7 * DAY
TWO_ROUNDS = interviewed(
    interviews=(interview("i1"), interview("i2", starts_at=ROUND_TWO, kind="onsite"))
)
SHARED = interviewed(
    interviews=(interview(mutual_interests="AI code review"),),
)

CASES = [
    # send_thank_you_email ---------------------------------------------------------------
    pytest.param(
        "send_thank_you_email",
        interviewed(),
        ENDS,
        [Open(ENDS + DAY, "i1", "p1", priority="high")],
        id="thank_you_due_exactly_24h_after_interview_ends",
    ),
    pytest.param(
        "send_thank_you_email",
        interviewed(),
        ENDS - SECOND,
        [],
        id="thank_you_not_before_the_interview_has_ended",
    ),
    pytest.param(
        "send_thank_you_email",
        PANEL,
        ENDS,
        [
            Open(ENDS + DAY, "i1", "p1", priority="high"),
            Open(ENDS + DAY, "i1", "p2", priority="high"),
        ],
        id="thank_you_each_interviewer_separately",
    ),
    pytest.param(
        "send_thank_you_email",
        with_events(interviewed(), event("thank_you_email", ENDS + HOUR, interviewer="p1")),
        ENDS + 2 * HOUR,
        [],
        id="thank_you_done_by_an_email_to_that_interviewer",
    ),
    pytest.param(
        "send_thank_you_email",
        with_events(interviewed(), event("handwritten_note", ENDS + HOUR, interviewer="p1")),
        ENDS + 2 * HOUR,
        [Open(ENDS + DAY, "i1", "p1", priority="high")],
        id="handwritten_note_alone_does_not_close_the_thank_you_email",
    ),
    pytest.param(
        "send_thank_you_email",
        with_events(PANEL, event("thank_you_email", ENDS + HOUR, interviewer="p2")),
        ENDS + 2 * HOUR,
        [Open(ENDS + DAY, "i1", "p1", priority="high")],
        id="thank_you_to_one_panelist_leaves_the_other_open",
    ),
    pytest.param(
        "send_thank_you_email",
        with_events(TWO_ROUNDS, event("thank_you_email", ENDS + HOUR, interviewer="p1")),
        ROUND_TWO + HOUR,
        [Open(ROUND_TWO + HOUR + DAY, "i2", "p1", priority="high")],
        id="thank_you_again_after_a_second_interview_with_the_same_person",
    ),
    pytest.param(
        "send_thank_you_email",
        with_events(interviewed(), event("thank_you_email", ENDS + HOUR, interviewer="p1")),
        ENDS + 30 * 60 * SECOND,
        [Open(ENDS + DAY, "i1", "p1", priority="high")],
        id="thank_you_logged_after_as_of_is_ignored",
    ),
    # send_handwritten_note --------------------------------------------------------------
    pytest.param(
        "send_handwritten_note",
        interviewed(),
        ENDS,
        [Open(ENDS + 2 * DAY, "i1", "p1")],
        id="handwritten_note_due_48h_after_interview_ends",
    ),
    pytest.param(
        "send_handwritten_note",
        with_events(interviewed(), event("handwritten_note", ENDS + DAY, interviewer="p1")),
        ENDS + DAY,
        [],
        id="handwritten_note_done_by_a_note",
    ),
    pytest.param(
        "send_handwritten_note",
        with_events(interviewed(), event("thank_you_email", ENDS + HOUR, interviewer="p1")),
        ENDS + DAY,
        [Open(ENDS + 2 * DAY, "i1", "p1")],
        id="handwritten_note_not_replaced_by_the_email",
    ),
    # connect_on_linkedin ----------------------------------------------------------------
    pytest.param(
        "connect_on_linkedin",
        interviewed(),
        ENDS + 2 * DAY,
        [],
        id="connect_only_after_a_thank_you_email",
    ),
    pytest.param(
        "connect_on_linkedin",
        with_events(
            interviewed(),
            event("thank_you_email", ENDS + 2 * HOUR, interviewer="p1"),
            event("thank_you_email", ENDS + 5 * HOUR, interviewer="p1", id="again"),
        ),
        ENDS + 6 * HOUR,
        [Open(ENDS + 2 * HOUR + DAY, "i1", "p1")],
        id="connect_due_24h_after_the_first_thank_you_email",
    ),
    pytest.param(
        "connect_on_linkedin",
        with_events(
            interviewed(),
            event("thank_you_email", ENDS + 2 * HOUR, interviewer="p1"),
            event("linkedin_connection", ENDS + DAY, interviewer="p1"),
        ),
        ENDS + 2 * DAY,
        [],
        id="connect_done_by_a_linkedin_connection",
    ),
    # share_mutual_interest --------------------------------------------------------------
    pytest.param(
        "share_mutual_interest",
        SHARED,
        ENDS,
        [Open(T0 + 3 * DAY, "i1", "p1")],
        id="mutual_interest_due_3_days_after_the_interview_starts",
    ),
    pytest.param(
        "share_mutual_interest",
        interviewed(),
        ENDS,
        [],
        id="mutual_interest_only_when_one_was_noted",
    ),
    pytest.param(
        "share_mutual_interest",
        SHARED,
        ENDS - SECOND,
        [],
        id="mutual_interest_waits_for_the_interview_to_end",
    ),
    pytest.param(
        "share_mutual_interest",
        with_events(SHARED, event("linkedin_message", ENDS + DAY, interview="i1")),
        ENDS + DAY,
        [],
        id="mutual_interest_done_by_a_message_tied_to_the_interview",
    ),
    pytest.param(
        "share_mutual_interest",
        with_events(SHARED, event("linkedin_message", ENDS + DAY, interviewer="p1")),
        ENDS + DAY,
        [],
        id="mutual_interest_done_by_a_message_to_one_of_its_interviewers",
    ),
    pytest.param(
        "share_mutual_interest",
        with_events(SHARED, event("linkedin_message", T0 - DAY, interviewer="p1")),
        ENDS + DAY,
        [Open(T0 + 3 * DAY, "i1", "p1")],
        id="mutual_interest_message_before_the_interview_does_not_count",
    ),
]


@pytest.mark.parametrize(("rule", "app", "as_of", "expected"), CASES)
def test_thank_rules(rule: str, app: ApplicationIn, as_of: datetime, expected: list[Open]) -> None:
    assert open_steps(run(app, as_of=as_of), rule) == normalised(expected)


def test_thank_you_overdue_only_after_the_24_hours() -> None:
    assert not only(run(interviewed(), as_of=ENDS + DAY), "send_thank_you_email").overdue
    assert only(run(interviewed(), as_of=ENDS + DAY + SECOND), "send_thank_you_email").overdue


SAM = person("p3", "Sam Rivera", title="Recruiter", email="sam@acme.example")


@pytest.mark.parametrize(
    ("app", "hinted"),
    [
        pytest.param(
            interviewed(
                recruiter_name="Sam Rivera",
                interviewers=(person(), SAM),
                interviews=(interview(interviewers=("p1", "p3")),),
            ),
            {"p3": "Reply in Sam Rivera's last email thread"},
            id="only_the_recruiters_step_by_name",
        ),
        pytest.param(
            interviewed(
                recruiter_email="SAM@acme.example",
                interviewers=(person(), SAM),
                interviews=(interview(interviewers=("p1", "p3")),),
            ),
            {"p3": "Reply in Sam Rivera's last email thread"},
            id="only_the_recruiters_step_by_email",
        ),
        pytest.param(
            # Dana arranged things but wasn't in the room: nobody here shares her thread.
            interviewed(recruiter_name="Dana Lee", recruiter_email="dana@acme.example"),
            {},
            id="a_recruiter_who_was_not_there_hints_nobody",
        ),
        pytest.param(interviewed(), {}, id="no_recruiter_no_hint"),
    ],
)
def test_the_thread_hint_is_on_the_recruiters_step_only(
    app: ApplicationIn, hinted: dict[str, str]
) -> None:
    recs = of_rule(run(app, as_of=ENDS), "send_thank_you_email")
    assert recs
    for rec in recs:
        assert "24 hours" in rec.rationale
        assert "top of mind" in rec.rationale
        hint = hinted.get(rec.interviewer_id or "")
        if hint is None:
            assert "thread" not in rec.rationale, rec.interviewer_id
        else:
            assert hint in rec.rationale


def test_thank_you_completion_records_an_email_to_that_interviewer() -> None:
    rec = only(run(interviewed(), as_of=ENDS), "send_thank_you_email")
    assert rec.completion.kind == "event"
    assert rec.completion.event_type == "thank_you_email"
    assert rec.completion.interviewer_id == "p1"
    assert rec.completion.channel == "email"
    assert rec.channel == "email"


def test_handwritten_note_rationale_says_it_never_replaces_the_email() -> None:
    rec = only(run(interviewed(), as_of=ENDS), "send_handwritten_note")
    assert "never replaces" in rec.rationale
    assert rec.completion.event_type == "handwritten_note"
    assert rec.completion.channel == "handwritten"


@pytest.mark.parametrize(
    ("linkedin_url", "title"),
    [
        pytest.param(None, "Find Jane Doe on LinkedIn and connect", id="without_url_find_them"),
        pytest.param(
            "https://www.linkedin.com/in/jane",
            "Connect with Jane Doe on LinkedIn",
            id="with_url_connect",
        ),
    ],
)
def test_connect_title_depends_on_a_known_profile(linkedin_url: str | None, title: str) -> None:
    app = with_events(
        interviewed(interviewers=(person(linkedin_url=linkedin_url),)),
        event("thank_you_email", ENDS + HOUR, interviewer="p1"),
    )
    rec = only(run(app, as_of=ENDS + 2 * HOUR), "connect_on_linkedin")
    assert rec.title == title
    assert rec.completion.event_type == "linkedin_connection"
    assert rec.completion.interviewer_id == "p1"


def test_mutual_interest_message_goes_to_the_main_contact_of_the_panel() -> None:
    app = interviewed(
        interviewers=(person(), person("p2", "Bob Stone", main=True)),
        interviews=(interview(interviewers=("p1", "p2"), mutual_interests="AI code review"),),
    )
    rec = only(run(app, as_of=ENDS), "share_mutual_interest")
    assert rec.interviewer_id == "p2"
    assert rec.completion.event_type == "linkedin_message"
    assert rec.completion.interview_id == "i1"
    assert rec.draft is not None
    assert "AI code review" in rec.draft.body


def test_no_thank_yous_before_any_interview_has_ended() -> None:
    recs = run(PANEL, as_of=T0 + 30 * 60 * SECOND)
    assert of_rule(recs, "send_thank_you_email") == []
    assert of_rule(recs, "send_handwritten_note") == []
