"""The one place a Recommendation is assembled, so ids, UTC due dates and `overdue` are uniform."""

from __future__ import annotations

from datetime import UTC, datetime

from app.policy.ids import recommendation_id
from app.policy.outputs import Completion, Draft, Priority, Recommendation, RuleName


def make_recommendation(
    *,
    as_of: datetime,
    rule: RuleName,
    application_id: str | None,
    title: str,
    rationale: str,
    due_at: datetime,
    completion: Completion,
    interview_id: str | None = None,
    interviewer_id: str | None = None,
    reference_id: str | None = None,
    situation: tuple[str, ...] = (),
    priority: Priority = "normal",
    channel: str | None = None,
    draft: Draft | None = None,
) -> Recommendation:
    # Positional on purpose: this runs for every recommendation of every user each minute.
    return Recommendation(
        recommendation_id(
            rule, application_id, interview_id, interviewer_id, reference_id, situation
        ),
        rule,
        title,
        rationale,
        application_id,
        interview_id,
        interviewer_id,
        reference_id,
        # Inputs may carry any offset; one zone out keeps the API and sorting unsurprising.
        due_at.astimezone(UTC),
        as_of > due_at,
        priority,
        channel,
        draft,
        completion,
    )
