"""The recommendation engine: plain data in, open next steps out.

Every rule (when it opens, when it is due, what closes it, and why) is listed in
docs/next-steps.md.

No database, no HTTP, no clock: callers pass `as_of`, and events dated after it are ignored.
Choices the product leaves open, made here:

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
- Inquiries, the answer to a vague reply and withdrawals go to the main contact: the
  recruiter (recognised among the application's people by email or name), else the person
  marked main contact, else the last interviewer met. The recruiter is reached even when
  someone else sent the vague reply: they steer the process.
- The too-soon warning on a logged inquiry goes by the unmoved due time: an inquiry sent on a
  Saturday after a silent week isn't premature, merely not what we'd advise.
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
