"""The recommendation engine: plain data in, open next steps out (SPEC §4).

No database, no HTTP, no clock: callers pass `as_of`, and events dated after it are ignored.
Choices the SPEC leaves open, made here:

- ask_next_steps is one step per application (its answers — `expected_response_by`, the
  follow-up channel — belong to the application), tied to the latest interview whose
  24-hour window has opened, and only while the status is applied/interviewing.
- get_contact_info is one request per application listing everyone whose email is missing;
  `contact_info_requested` without an interviewer closes it for all of them.
- `offer` status: thank-yous, notes, LinkedIn, references and reply_graciously still fire;
  nothing that chases a decision does (ask_next_steps, status inquiries, move_on), and an
  offer is not "waiting" for keep_applying.
- Once an offer is accepted (the latest `status_changed` to accepted, or, lacking one, the
  accepted application's created_at), every other active application gets only
  withdraw_gracefully, dated from the earliest acceptance, and keep_applying stops.
- reply_graciously is completed by a `thank_you_email` with no interviewer: that is what the
  draft is, it closes the step, and it neither counts as an inquiry nor as an interview
  thank-you.
- A promised `expected_response_by` that had already passed when the last interview ended is
  treated as stale: the first inquiry falls back to a silent week.
- A logged `withdrawal` makes an application inactive even if its status was not updated.
- due_at is returned in UTC; ids hash the rule, its targets and the situation, never as_of.
"""

from app.policy.engine import recommend
from app.policy.inputs import (
    ApplicationIn,
    EventIn,
    InterviewIn,
    PersonIn,
    ReferenceIn,
    UserIn,
)
from app.policy.inquiry_warnings import status_inquiry_warnings
from app.policy.outputs import Completion, Draft, Recommendation

__all__ = [
    "ApplicationIn",
    "Completion",
    "Draft",
    "EventIn",
    "InterviewIn",
    "PersonIn",
    "Recommendation",
    "ReferenceIn",
    "UserIn",
    "recommend",
    "status_inquiry_warnings",
]
