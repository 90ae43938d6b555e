"""Drafts greet their reader by first name whenever one is known; "Hello," only when none is.

Inquiries, answers to a vague reply and withdrawals go to the main contact: the application's
recruiter, else the interviewer marked main contact, else the last interviewer met.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.policy import ApplicationIn

from .builders import (
    DAY,
    HOUR,
    T0,
    WEEK,
    application,
    event,
    interview,
    interviewed,
    only,
    person,
    run,
    with_events,
)

ENDS = T0 + HOUR
OMAR = person("p1", "Omar Haddad", title="SRE Manager", email="omar@globex.example")
LENA = person("p2", "Lena Fischer", title="Head of Platform", email="lena@globex.example")
ROUND_TWO = T0 + 2 * DAY
TWO_ROUNDS = dict(
    interviewers=(OMAR, LENA),
    interviews=(
        interview("i1", interviewers=("p2",)),
        interview("i2", starts_at=ROUND_TWO, interviewers=("p1",)),
    ),
)
LATER = ROUND_TWO + HOUR + WEEK


@pytest.mark.parametrize(
    ("app", "greeting"),
    [
        pytest.param(
            interviewed(recruiter_name="Priya Shah", **TWO_ROUNDS),
            "Hi Priya,",
            id="the_recruiter_first",
        ),
        pytest.param(
            interviewed(
                interviewers=(OMAR, person("p2", "Lena Fischer", main=True)),
                interviews=TWO_ROUNDS["interviews"],
            ),
            "Hi Lena,",
            id="else_the_person_marked_main_contact",
        ),
        pytest.param(
            interviewed(**TWO_ROUNDS),
            "Hi Omar,",
            id="else_the_last_interviewer_met",
        ),
        pytest.param(
            interviewed(recruiter_email="OMAR@globex.example", **TWO_ROUNDS),
            "Hi Omar,",
            id="a_nameless_recruiter_known_as_one_of_the_people",
        ),
        pytest.param(
            interviewed(recruiter_email="jobs@globex.example", **TWO_ROUNDS),
            "Hello,",
            id="a_recruiter_with_only_an_email_address",
        ),
        pytest.param(
            interviewed(recruiter_name="Dr. Ada Byron", **TWO_ROUNDS),
            "Hi Dr. Byron,",
            id="an_honorific_keeps_the_surname",
        ),
    ],
)
def test_a_status_inquiry_greets_the_main_contact(app: ApplicationIn, greeting: str) -> None:
    rec = only(run(app, as_of=LATER), "send_status_inquiry")
    assert rec.draft is not None
    assert rec.draft.body.startswith(greeting + "\n")


def test_the_globex_follow_up_greets_omar_who_replied() -> None:
    """No recruiter on file, Omar interviewed and answered: "Hello," would be cold."""
    app = with_events(
        interviewed(company="Globex", interviewers=(OMAR,)),
        event("reply_received", ENDS + DAY, interviewer="p1", response="noncommittal"),
    )
    recs = run(app, as_of=ENDS + DAY + HOUR)
    for rule in ("reply_graciously", "send_status_inquiry"):
        draft = only(recs, rule).draft
        assert draft is not None
        assert draft.body.startswith("Hi Omar,\n"), rule


def test_reply_graciously_goes_to_the_main_contact_whoever_replied() -> None:
    app = with_events(
        interviewed(recruiter_name="Priya Shah", **TWO_ROUNDS),
        event("reply_received", LATER, interviewer="p2", response="noncommittal"),
    )
    rec = only(run(app, as_of=LATER + HOUR), "reply_graciously")
    assert rec.draft is not None
    assert rec.draft.body.startswith("Hi Priya,\n")


def test_the_second_inquiry_greets_the_same_person() -> None:
    app = with_events(interviewed(**TWO_ROUNDS), event("status_inquiry", LATER))
    rec = only(run(app, as_of=LATER + HOUR), "send_status_inquiry")
    assert rec.title.endswith("a second time")
    assert rec.draft is not None
    assert rec.draft.body.startswith("Hi Omar,\n")


def test_asking_about_next_steps_greets_the_last_interviewer_when_no_recruiter() -> None:
    app = interviewed(interviewers=(OMAR,))
    rec = only(run(app, as_of=ENDS), "ask_next_steps")
    assert rec.draft is not None
    assert rec.draft.body.startswith("Hi Omar,\n")


def test_hello_only_when_no_name_is_known() -> None:
    won = application(
        "won", status="accepted", events=(event("status_changed", T0, to_status="accepted"),)
    )
    never_met = application("a1", status="applied", expected_response_by=date(2025, 3, 1))
    rec = only(run(won, never_met, as_of=T0 + HOUR), "withdraw_gracefully")
    assert rec.draft is not None
    assert rec.draft.body.startswith("Hello,\n")
