"""Stable recommendation ids.

An id must survive re-running the engine at a later `as_of` (so dismissals, snoozes and the
"recommendation.due" webhook can key on it) yet change when the situation changes (a second
status inquiry is a new step, not the first one again). So it hashes the rule, its targets and
a rule-specific situation discriminator — never `as_of` itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha256

# Separators that cannot appear in UUIDs or ISO timestamps, so distinct parts never collide.
_FIELD_SEP = "\x1f"
_NONE = "\x00"


def recommendation_id(
    rule: str,
    application_id: str | None,
    interview_id: str | None,
    interviewer_id: str | None,
    reference_id: str | None,
    situation: tuple[str, ...] = (),
) -> str:
    # Written out rather than joined from a generator: this runs once per recommendation.
    raw = (
        f"{rule}{_FIELD_SEP}"
        f"{_NONE if application_id is None else application_id}{_FIELD_SEP}"
        f"{_NONE if interview_id is None else interview_id}{_FIELD_SEP}"
        f"{_NONE if interviewer_id is None else interviewer_id}{_FIELD_SEP}"
        f"{_NONE if reference_id is None else reference_id}"
    )
    if situation:
        raw += _FIELD_SEP + _FIELD_SEP.join(situation)
    return "rec_" + sha256(raw.encode()).hexdigest()[:24]


def instant_key(moment: datetime) -> str:
    """The same instant in any offset gives the same key."""
    return moment.astimezone(UTC).isoformat()
