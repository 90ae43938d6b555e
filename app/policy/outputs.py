"""What the policy engine returns: open next steps, each with how to complete it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Priority = Literal["high", "normal", "low"]
# Every rule the engine has (docs/next-steps.md); the API's schema offers exactly these.
RuleName = Literal[
    "ask_next_steps",
    "record_interviewers",
    "get_contact_info",
    "send_thank_you_email",
    "send_handwritten_note",
    "connect_on_linkedin",
    "share_mutual_interest",
    "list_references",
    "brief_reference",
    "send_status_inquiry",
    "reply_graciously",
    "move_on",
    "withdraw_gracefully",
    "keep_applying",
]

# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
# building these three objects about a sixth of the engine's time (a Recommendation took 1 µs
# to construct instead of 0.15 µs). Nothing mutates them after the engine returns them (the API,
# web client and export only read them); treat them as read-only.


@dataclass(slots=True)
class Draft:
    subject: str | None
    body: str


@dataclass(slots=True)
class Completion:
    """What POST /recommendations/{id}/complete does.

    kind="event": record an event of `event_type` with the given links and channel;
    kind="status": set the application's status to `status`;
    kind="manual": no single click can do it (e.g. record_interviewers, list_references,
    keep_applying) — `hint` says what the user must do instead.
    """

    kind: Literal["event", "status", "manual"]
    event_type: str | None = None
    status: str | None = None
    interviewer_id: str | None = None
    interview_id: str | None = None
    reference_id: str | None = None
    channel: str | None = None
    hint: str | None = None


@dataclass(slots=True)
class Recommendation:
    id: str
    rule: RuleName
    title: str
    rationale: str
    application_id: str | None
    interview_id: str | None
    interviewer_id: str | None
    reference_id: str | None
    due_at: datetime
    overdue: bool
    priority: Priority
    channel: str | None
    draft: Draft | None
    completion: Completion
