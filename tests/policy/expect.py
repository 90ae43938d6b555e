"""Compact expectations for table-driven rule tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.policy import Recommendation


@dataclass(frozen=True)
class Open:
    """One open recommendation of the rule under test, by its targets and timing."""

    due_at: datetime
    interview_id: str | None = None
    interviewer_id: str | None = None
    reference_id: str | None = None
    priority: str = "normal"


def open_steps(recs: Sequence[Recommendation], rule: str) -> list[Open]:
    found = [
        Open(r.due_at, r.interview_id, r.interviewer_id, r.reference_id, r.priority)
        for r in recs
        if r.rule == rule
    ]
    return sorted(found, key=repr)


def normalised(expected: Sequence[Open]) -> list[Open]:
    return sorted(expected, key=repr)
