"""withdraw_gracefully and keep_applying: closing the loop, keeping the pipeline full."""

from __future__ import annotations

from datetime import datetime

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
    of_rule,
    only,
    person,
    rules,
    run,
    with_events,
)

ENDS = T0 + HOUR
ACCEPTED_AT = T0 + 10 * DAY


def _accepted(at: datetime = ACCEPTED_AT, app_id: str = "won") -> ApplicationIn:
    return application(
        app_id,
        company="Initech",
        status="accepted",
        events=(event("status_changed", at, to_status="accepted", id=f"accept-{app_id}"),),
    )


OTHERS = [
    interviewed(id="a1", status="applied"),
    interviewed(id="a2", status="interviewing", recruiter_name="Sam Rivera"),
    interviewed(id="a3", status="offer", interviewers=(person(main=True),)),
    interviewed(id="a4", status="rejected"),
    interviewed(id="a5", status="closed"),
]


def test_accepting_an_offer_means_one_withdrawal_per_other_active_application() -> None:
    recs = run(_accepted(), *OTHERS, as_of=ACCEPTED_AT + HOUR)
    withdrawals = of_rule(recs, "withdraw_gracefully")
    assert sorted(r.application_id or "" for r in withdrawals) == ["a1", "a2", "a3"]
    assert {r.due_at for r in withdrawals} == {ACCEPTED_AT + DAY}
    assert {r.priority for r in withdrawals} == {"high"}
    assert len({r.id for r in withdrawals}) == 3
    for rec in withdrawals:
        assert rec.completion.event_type == "withdrawal"
        assert "Initech" in rec.rationale


def test_after_accepting_only_withdrawals_remain_and_keep_applying_stops() -> None:
    recs = run(_accepted(), *OTHERS, as_of=ACCEPTED_AT + 3 * WEEK)
    assert set(rules(recs)) == {"withdraw_gracefully"}


def test_withdrawal_is_addressed_to_the_main_contact() -> None:
    """The recruiter, else the person marked main contact, else the last interviewer met."""
    recs = run(_accepted(), *OTHERS, as_of=ACCEPTED_AT)
    by_app = {r.application_id: r for r in of_rule(recs, "withdraw_gracefully")}
    assert by_app["a3"].interviewer_id == "p1"
    assert by_app["a3"].draft is not None
    assert by_app["a3"].draft.body.startswith("Dear Jane,")
    assert by_app["a2"].draft is not None
    assert by_app["a2"].draft.body.startswith("Dear Sam,")
    assert by_app["a1"].draft is not None
    assert by_app["a1"].draft.body.startswith("Dear Jane,")  # the only interviewer met
    assert by_app["a1"].interviewer_id == "p1"


def test_withdrawal_prefers_the_recruiter_and_says_hello_to_nobody_known() -> None:
    both = interviewed(id="both", recruiter_name="Sam Rivera", interviewers=(person(main=True),))
    unmet = application("unmet", status="applied")
    recs = run(_accepted(), both, unmet, as_of=ACCEPTED_AT)
    by_app = {r.application_id: r for r in of_rule(recs, "withdraw_gracefully")}
    assert by_app["both"].draft is not None
    assert by_app["both"].draft.body.startswith("Dear Sam,")
    assert by_app["unmet"].draft is not None
    assert by_app["unmet"].draft.body.startswith("Hello,")


def test_withdrawing_closes_the_step() -> None:
    other = interviewed(id="a1", status="applied")
    withdrawn = with_events(other, event("withdrawal", ACCEPTED_AT + HOUR))
    assert (
        of_rule(run(_accepted(), withdrawn, as_of=ACCEPTED_AT + HOUR), "withdraw_gracefully") == []
    )


def test_an_acceptance_dated_after_as_of_has_not_happened_yet() -> None:
    recs = run(_accepted(), interviewed(id="a1"), as_of=ACCEPTED_AT - HOUR)
    assert of_rule(recs, "withdraw_gracefully") == []


def test_accepted_without_a_status_change_event_counts_from_its_creation() -> None:
    imported = application("won", status="accepted", created_at=T0 + DAY)
    rec = only(run(imported, interviewed(id="a1"), as_of=T0 + 2 * DAY), "withdraw_gracefully")
    assert rec.due_at == T0 + 2 * DAY


def test_two_accepted_offers_still_mean_one_withdrawal_dated_from_the_first() -> None:
    recs = run(
        _accepted(ACCEPTED_AT, "won"),
        _accepted(ACCEPTED_AT + DAY, "won-too"),
        interviewed(id="a1"),
        as_of=ACCEPTED_AT + 2 * DAY,
    )
    rec = only(recs, "withdraw_gracefully")
    assert rec.due_at == ACCEPTED_AT + DAY


def test_withdrawal_id_depends_on_the_accepted_application() -> None:
    first = only(
        run(_accepted(app_id="x"), interviewed(id="a1"), as_of=ACCEPTED_AT), "withdraw_gracefully"
    )
    second = only(
        run(_accepted(app_id="y"), interviewed(id="a1"), as_of=ACCEPTED_AT), "withdraw_gracefully"
    )
    assert first.id != second.id


# keep_applying ------------------------------------------------------------------------------

WAITING = interviewed(created_at=T0 - WEEK)


@pytest.mark.parametrize(
    ("applications", "as_of", "expected"),
    [
        pytest.param([WAITING], ENDS + DAY, 1, id="keep_applying_while_waiting_and_nothing_new"),
        pytest.param(
            [WAITING, application("new", status="applied", created_at=ENDS)],
            ENDS + DAY,
            0,
            id="keep_applying_not_when_applied_somewhere_in_the_last_week",
        ),
        pytest.param(
            [WAITING, application("new", status="applied", created_at=ENDS)],
            ENDS + WEEK + HOUR,
            1,
            id="keep_applying_again_a_week_after_the_last_application",
        ),
        pytest.param(
            [interviewed(created_at=T0 - WEEK, interviews=(interview(starts_at=T0 + DAY),))],
            T0,
            0,
            id="keep_applying_not_while_an_interview_is_to_come",
        ),
        pytest.param(
            [interviewed(status="rejected", created_at=T0 - WEEK)],
            ENDS + DAY,
            0,
            id="keep_applying_not_when_nothing_is_waiting",
        ),
    ],
)
def test_keep_applying(applications: list[ApplicationIn], as_of: datetime, expected: int) -> None:
    assert len(of_rule(run(*applications, as_of=as_of), "keep_applying")) == expected


def test_keep_applying_is_global_low_priority_due_now_and_stable_over_time() -> None:
    first = only(run(WAITING, as_of=ENDS + DAY), "keep_applying")
    later = only(run(WAITING, as_of=ENDS + 2 * WEEK), "keep_applying")
    assert first.application_id is None
    assert first.priority == "low"
    assert first.due_at == ENDS + DAY
    assert not first.overdue
    assert first.completion.kind == "manual"
    assert first.draft is None
    assert first.id == later.id
