"""ask_next_steps, record_interviewers, get_contact_info: around the interview itself."""

from __future__ import annotations

from datetime import date, datetime

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
    only,
    person,
    run,
    with_events,
)
from .expect import Open, normalised, open_steps

ENDS = T0 + HOUR
NO_EMAIL = person("p2", "Bob Stone", email=None)


def _two_interviews(**overrides: object) -> ApplicationIn:
    fields: dict[str, object] = {
        "interviews": (interview("i1"), interview("i2", starts_at=T0 + 5 * DAY)),
    }
    fields.update(overrides)
    return interviewed(**fields)


CASES = [
    # ask_next_steps ---------------------------------------------------------------------
    pytest.param(
        "ask_next_steps",
        interviewed(),
        T0 - DAY,
        [Open(ENDS, "i1")],
        id="ask_next_steps_opens_exactly_24h_before_the_interview",
    ),
    pytest.param(
        "ask_next_steps",
        interviewed(),
        T0 - DAY - SECOND,
        [],
        id="ask_next_steps_not_open_more_than_24h_before",
    ),
    pytest.param(
        "ask_next_steps",
        interviewed(),
        ENDS + 3 * DAY,
        [Open(ENDS, "i1")],
        id="ask_next_steps_stays_open_after_the_interview_until_answered",
    ),
    pytest.param(
        "ask_next_steps",
        interviewed(expected_response_by=date(2025, 3, 10)),
        T0,
        [],
        id="ask_next_steps_done_when_expected_response_by_is_known",
    ),
    pytest.param(
        "ask_next_steps",
        with_events(interviewed(), event("next_steps_asked", ENDS, interview="i1")),
        ENDS,
        [],
        id="ask_next_steps_done_when_next_steps_asked_logged",
    ),
    pytest.param(
        "ask_next_steps",
        with_events(interviewed(), event("next_steps_asked", ENDS + HOUR)),
        ENDS,
        [Open(ENDS, "i1")],
        id="ask_next_steps_ignores_a_next_steps_asked_logged_after_as_of",
    ),
    pytest.param(
        "ask_next_steps",
        _two_interviews(),
        T0 + 5 * DAY - HOUR,
        [Open(T0 + 5 * DAY + HOUR, "i2")],
        id="ask_next_steps_one_per_application_tied_to_the_latest_opened_interview",
    ),
    pytest.param(
        "ask_next_steps",
        interviewed(status="offer"),
        T0,
        [],
        id="ask_next_steps_not_asked_with_an_offer_in_hand",
    ),
    # record_interviewers ----------------------------------------------------------------
    pytest.param(
        "record_interviewers",
        interviewed(interviews=(interview(interviewers=()),)),
        ENDS,
        [Open(ENDS, "i1")],
        id="record_interviewers_once_an_interview_without_people_ends",
    ),
    pytest.param(
        "record_interviewers",
        interviewed(interviews=(interview(interviewers=()),)),
        ENDS - SECOND,
        [],
        id="record_interviewers_waits_for_the_interview_to_end",
    ),
    pytest.param(
        "record_interviewers",
        interviewed(interviews=(interview(interviewers=("ghost",)),)),
        ENDS,
        [Open(ENDS, "i1")],
        id="record_interviewers_counts_unknown_ids_as_missing",
    ),
    pytest.param(
        "record_interviewers",
        interviewed(),
        ENDS,
        [],
        id="record_interviewers_done_once_someone_is_linked",
    ),
    # get_contact_info -------------------------------------------------------------------
    pytest.param(
        "get_contact_info",
        interviewed(interviewers=(NO_EMAIL,), interviews=(interview(interviewers=("p2",)),)),
        ENDS,
        [Open(ENDS, "i1", "p2")],
        id="get_contact_info_for_an_interviewer_without_email",
    ),
    pytest.param(
        "get_contact_info",
        interviewed(
            interviewers=(NO_EMAIL, person("p3", "Cy Lee", email=None)),
            interviews=(interview(interviewers=("p2", "p3")),),
        ),
        ENDS,
        [Open(ENDS, "i1", None)],
        id="get_contact_info_one_request_for_everyone_missing",
    ),
    pytest.param(
        "get_contact_info",
        interviewed(interviewers=(NO_EMAIL,), interviews=(interview(interviewers=("p2",)),)),
        ENDS - SECOND,
        [],
        id="get_contact_info_waits_for_the_interview_to_end",
    ),
    pytest.param(
        "get_contact_info",
        interviewed(),
        ENDS,
        [],
        id="get_contact_info_not_needed_when_email_known",
    ),
    pytest.param(
        "get_contact_info",
        with_events(
            interviewed(interviewers=(NO_EMAIL,), interviews=(interview(interviewers=("p2",)),)),
            event("contact_info_requested", ENDS + HOUR),
        ),
        ENDS + 2 * HOUR,
        [],
        id="get_contact_info_done_when_request_logged",
    ),
    pytest.param(
        "get_contact_info",
        with_events(
            interviewed(interviewers=(NO_EMAIL,), interviews=(interview(interviewers=("p2",)),)),
            event("contact_info_requested", T0 - DAY),
        ),
        ENDS,
        [Open(ENDS, "i1", "p2")],
        id="get_contact_info_request_before_the_interview_does_not_count",
    ),
]


@pytest.mark.parametrize(("rule", "app", "as_of", "expected"), CASES)
def test_interview_rules(
    rule: str, app: ApplicationIn, as_of: datetime, expected: list[Open]
) -> None:
    assert open_steps(run(app, as_of=as_of), rule) == normalised(expected)


def test_ask_next_steps_draft_before_the_interview_is_a_checklist() -> None:
    rec = only(run(interviewed(), as_of=T0 - HOUR), "ask_next_steps")
    assert rec.draft is not None
    assert rec.draft.subject is None
    assert rec.draft.body.startswith("Before you leave, ask:")
    assert "specific day" in rec.draft.body
    assert "second round" in rec.draft.body
    assert rec.completion.event_type == "next_steps_asked"


def test_ask_next_steps_after_the_interview_is_an_email_skipping_known_answers() -> None:
    app = interviewed(
        recruiter_name="Sam Rivera", follow_up_channel="email", second_round_expected=False
    )
    rec = only(run(app, as_of=ENDS + HOUR), "ask_next_steps")
    assert rec.draft is not None
    assert rec.draft.subject == "Next steps for the Backend Engineer role"
    assert rec.draft.body.startswith("Hi Sam,")
    assert "best way to follow up" not in rec.draft.body
    assert "second round" not in rec.draft.body
    assert rec.channel == "email"


def test_get_contact_info_draft_names_everyone_missing_and_greets_the_recruiter() -> None:
    app = interviewed(
        recruiter_name="Sam Rivera",
        interviewers=(NO_EMAIL, person("p3", "Cy Lee", email=None)),
        interviews=(interview(interviewers=("p2", "p3")),),
    )
    rec = only(run(app, as_of=ENDS), "get_contact_info")
    assert rec.draft is not None
    assert rec.draft.body.startswith("Hi Sam,")
    assert "Bob Stone and Cy Lee" in rec.draft.body
    assert "name, title and email" in rec.draft.body
    assert rec.completion.interviewer_id is None


def test_record_interviewers_is_completed_by_hand() -> None:
    app = interviewed(interviews=(interview(interviewers=()),))
    rec = only(run(app, as_of=ENDS), "record_interviewers")
    assert rec.completion.kind == "manual"
    assert rec.completion.hint
    assert rec.draft is None
