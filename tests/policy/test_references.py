"""list_references and brief_reference: know whom you named, and warn them before the call."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.policy import ApplicationIn, Recommendation

from .builders import (
    DAY,
    HOUR,
    T0,
    application,
    event,
    interviewed,
    only,
    reference,
    run,
    with_events,
)
from .expect import Open, normalised, open_steps

ASKED = T0 + 2 * DAY
REFS = [reference("r1"), reference("r2", "Omar Haddad", email=None)]

CASES = [
    pytest.param(
        "list_references",
        interviewed(references_requested_at=ASKED),
        ASKED - DAY,
        [Open(ASKED)],
        id="list_references_due_when_the_employer_checks_them",
    ),
    pytest.param(
        "list_references",
        interviewed(references_requested_at=ASKED, reference_ids=("r1",)),
        ASKED,
        [],
        id="list_references_done_once_a_reference_is_listed",
    ),
    pytest.param(
        "list_references",
        interviewed(references_requested_at=ASKED, reference_ids=("unknown",)),
        ASKED,
        [Open(ASKED)],
        id="list_references_ignores_ids_of_unknown_references",
    ),
    pytest.param(
        "list_references",
        interviewed(),
        ASKED,
        [],
        id="list_references_only_when_references_were_requested",
    ),
    pytest.param(
        "brief_reference",
        interviewed(references_requested_at=ASKED, reference_ids=("r1", "r2")),
        ASKED,
        [
            Open(ASKED + DAY, reference_id="r1", priority="high"),
            Open(ASKED + DAY, reference_id="r2", priority="high"),
        ],
        id="brief_each_listed_reference_within_24h_of_the_request",
    ),
    pytest.param(
        "brief_reference",
        with_events(
            interviewed(references_requested_at=ASKED, reference_ids=("r1", "r2")),
            event("reference_heads_up", ASKED + HOUR, reference="r1"),
        ),
        ASKED + 2 * HOUR,
        [Open(ASKED + DAY, reference_id="r2", priority="high")],
        id="brief_reference_done_by_a_heads_up_to_that_reference",
    ),
    pytest.param(
        "brief_reference",
        interviewed(reference_ids=("r1",)),
        ASKED,
        [],
        id="brief_reference_only_once_references_were_requested",
    ),
]


@pytest.mark.parametrize(("rule", "app", "as_of", "expected"), CASES)
def test_reference_rules(
    rule: str, app: ApplicationIn, as_of: datetime, expected: list[Open]
) -> None:
    assert open_steps(run(app, as_of=as_of, references=REFS), rule) == normalised(expected)


def test_list_references_is_completed_by_hand() -> None:
    rec = only(run(interviewed(references_requested_at=ASKED), as_of=ASKED), "list_references")
    assert rec.completion.kind == "manual"
    assert rec.completion.hint
    assert rec.draft is None


def test_brief_reference_draft_names_role_and_company_and_channel_follows_contact() -> None:
    app = interviewed(
        references_requested_at=ASKED, reference_ids=("r1", "r2"), recruiter_name="Sam Rivera"
    )
    recs = run(app, as_of=ASKED - DAY, references=REFS)
    by_ref = {r.reference_id: r for r in recs if r.rule == "brief_reference"}
    draft = by_ref["r1"].draft
    assert draft is not None
    assert draft.body.startswith("Hi Alice,")
    assert "the Backend Engineer role at Acme" in draft.body
    assert "you may hear from Sam Rivera" in draft.body
    assert "caught off guard" in by_ref["r1"].rationale
    assert by_ref["r1"].channel == "email"
    assert by_ref["r2"].channel == "phone"  # no email address on file
    assert by_ref["r1"].completion.event_type == "reference_heads_up"
    assert by_ref["r1"].completion.reference_id == "r1"


def _briefings(app: ApplicationIn, as_of: datetime) -> dict[str | None, Recommendation]:
    return {r.reference_id: r for r in run(app, as_of=as_of, references=REFS) if r.rule == RULE}


RULE = "brief_reference"
MONTHS = re.compile(
    r"\d{1,2} (January|February|March|April|May|June|July|August|September|"
    r"October|November|December)"
)


def test_the_briefing_says_when_they_asked_and_that_the_call_may_come_any_day() -> None:
    app = interviewed(references_requested_at=ASKED, reference_ids=("r1",))
    draft = _briefings(app, ASKED + HOUR)["r1"].draft
    assert draft is not None
    assert "They asked for my references on 5 March" in draft.body
    assert "any day now" in draft.body
    # The only date in it is the day they asked: the day of the call is unknown.
    assert MONTHS.findall(draft.body) == ["March"]
    assert "I've been interviewing for the Backend Engineer role at Acme" in draft.body


def test_a_briefing_without_an_interview_does_not_claim_one() -> None:
    app = application(references_requested_at=ASKED, reference_ids=("r1",), status="applied")
    draft = _briefings(app, ASKED + HOUR)["r1"].draft
    assert draft is not None
    assert "interviewing" not in draft.body
    assert "I've applied for the Backend Engineer role at Acme" in draft.body


def test_a_reference_without_email_gets_a_call_script_not_a_letter() -> None:
    app = interviewed(references_requested_at=ASKED, reference_ids=("r2",))
    rec = _briefings(app, ASKED + HOUR)["r2"]
    assert rec.channel == "phone"
    assert rec.draft is not None
    assert rec.draft.subject is None
    assert rec.draft.body.startswith("Hi Omar, it's Chris Candidate.")
    assert "asked for my references on 5 March" in rec.draft.body
    assert "Best regards" not in rec.draft.body
    assert "Would you be happy to speak to them?" in rec.draft.body
