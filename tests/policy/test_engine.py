"""Cross-cutting behaviour of recommend(): inputs, ordering, ids, inactive applications."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from app.policy import recommend

from .builders import (
    DAY,
    HOUR,
    T0,
    event,
    interview,
    interviewed,
    person,
    reference,
    run,
    user,
    with_events,
)

ENDS = T0 + HOUR

# A situation in which nearly every per-application rule fires.
BUSY = with_events(
    interviewed(
        recruiter_name="Sam Rivera",
        references_requested_at=T0 + 2 * DAY,
        reference_ids=("r1",),
        interviewers=(person(), person("p2", "Bob Stone", email=None)),
        interviews=(
            interview(
                interviewers=("p1", "p2"), topics="the payments API", mutual_interests="Rust"
            ),
            interview("i2", starts_at=T0 + 2 * DAY, interviewers=()),
        ),
    ),
    event("thank_you_email", ENDS + HOUR, interviewer="p1"),
    event("reply_received", ENDS + 2 * HOUR, response="noncommittal"),
)


def test_as_of_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        recommend(user(), [BUSY], [], datetime(2025, 3, 10, 12))


def test_unknown_timezone_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        recommend(user(timezone="Mars/Olympus"), [BUSY], [], T0)


def test_sorted_by_due_then_id_with_unique_ids() -> None:
    recs = run(BUSY, as_of=T0 + 3 * DAY, references=[reference()])
    assert len(recs) >= 8
    assert [(r.due_at, r.id) for r in recs] == sorted((r.due_at, r.id) for r in recs)
    assert len({r.id for r in recs}) == len(recs)
    assert all(r.id.startswith("rec_") and len(r.id) == 28 for r in recs)


def test_as_of_in_any_offset_gives_the_same_answer_with_utc_due_dates() -> None:
    as_of = T0 + 3 * DAY
    tokyo = as_of.astimezone(timezone(timedelta(hours=9)))
    assert run(BUSY, as_of=as_of) == run(BUSY, as_of=tokyo)
    assert all(r.due_at.utcoffset() == timedelta(0) for r in run(BUSY, as_of=tokyo))


@pytest.mark.parametrize("status", ["accepted", "rejected", "withdrawn", "closed"])
def test_inactive_applications_get_no_steps(status: str) -> None:
    assert run(dataclasses.replace(BUSY, status=status), as_of=T0 + 3 * DAY) == []


def test_offer_status_keeps_thanks_but_drops_nudges() -> None:
    as_of = T0 + 30 * DAY
    offer = {r.rule for r in run(dataclasses.replace(BUSY, status="offer"), as_of=as_of)}
    interviewing = {r.rule for r in run(BUSY, as_of=as_of)}
    assert {"send_thank_you_email", "send_handwritten_note", "reply_graciously"} <= offer
    assert {"send_status_inquiry", "keep_applying"} <= interviewing
    assert not offer & {"send_status_inquiry", "move_on", "keep_applying", "ask_next_steps"}


def test_a_logged_withdrawal_makes_the_application_inactive() -> None:
    assert run(with_events(BUSY, event("withdrawal", ENDS)), as_of=T0 + 3 * DAY) == []


def test_events_after_as_of_are_ignored() -> None:
    as_of = T0 + 3 * DAY
    future = with_events(
        BUSY,
        event("thank_you_email", as_of + HOUR, interviewer="p2"),
        event("withdrawal", as_of + HOUR),
        event("reply_received", as_of + HOUR, response="offer"),
    )
    assert run(future, as_of=as_of) == run(BUSY, as_of=as_of)


def test_overdue_means_as_of_after_due() -> None:
    for rec in run(BUSY, as_of=T0 + 3 * DAY):
        assert rec.overdue == (rec.due_at < T0 + 3 * DAY)
