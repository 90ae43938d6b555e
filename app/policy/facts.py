"""A per-application index built once per run, so every rule reads precomputed facts.

Rules ask the same questions over and over ("latest thank-you email to this person?", "is
this interview over?"); answering them from dictionaries keeps the engine linear in the
number of rows, which matters when the scheduler evaluates every user's data each minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from zoneinfo import ZoneInfo

from app.policy.inputs import ApplicationIn, EventIn, InterviewIn, PersonIn, ReferenceIn, UserIn

ACTIVE_STATUSES = frozenset({"applied", "interviewing", "offer"})
# Statuses in which the employer still owes the user an answer.
WAITING_STATUSES = frozenset({"applied", "interviewing"})
# Events that put something in front of the employer: any of them answers a noncommittal reply.
EMPLOYER_FACING_EVENTS = frozenset(
    {
        "thank_you_email",
        "handwritten_note",
        "linkedin_connection",
        "linkedin_message",
        "status_inquiry",
    }
)

_PersonKey = tuple[str, str]  # (event type, interviewer id)


# Sort keys built in C: a Python key function per event was a visible share of build_facts.
_EVENT_ORDER = attrgetter("occurred_at", "id")
_INTERVIEW_ORDER = attrgetter("starts_at", "id")


@dataclass(slots=True)
class ApplicationFacts:
    app: ApplicationIn
    as_of: datetime
    status: str
    # Only events at or before as_of, oldest first; later ones do not exist yet.
    events: list[EventIn]
    interviews: list[InterviewIn]  # by start
    ended: list[InterviewIn]  # as_of >= ends_at, by start
    has_interview_to_come: bool
    people: dict[str, PersonIn]
    first_by_person: dict[_PersonKey, datetime] = field(default_factory=dict)
    latest_by_person: dict[_PersonKey, datetime] = field(default_factory=dict)
    latest_message_by_interview: dict[str, datetime] = field(default_factory=dict)
    latest_heads_up_by_reference: dict[str, datetime] = field(default_factory=dict)
    by_type: dict[str, list[EventIn]] = field(default_factory=dict)
    _interviewers: dict[str, list[PersonIn]] = field(default_factory=dict)

    def of_type(self, event_type: str) -> list[EventIn]:
        return self.by_type.get(event_type, [])

    def sent_to_person_since(self, event_type: str, person_id: str, since: datetime) -> bool:
        latest = self.latest_by_person.get((event_type, person_id))
        return latest is not None and latest >= since

    def interviewers_of(self, interview: InterviewIn) -> list[PersonIn]:
        """Known people of an interview, deduplicated, in a stable order."""
        cached = self._interviewers.get(interview.id)
        if cached is None:
            people = self.people
            ids = sorted({pid for pid in interview.interviewer_ids if pid in people})
            cached = self._interviewers[interview.id] = [people[pid] for pid in ids]
        return cached

    @property
    def last_ended(self) -> InterviewIn | None:
        if not self.ended:
            return None
        return max(self.ended, key=lambda interview: (interview.ends_at, interview.id))

    @property
    def main_contact(self) -> PersonIn | None:
        mains = [person for person in self.people.values() if person.is_main_contact]
        return min(mains, key=lambda person: person.id) if mains else None


def effective_status(app: ApplicationIn, as_of: datetime) -> str:
    """The stored status, except that a logged withdrawal always means withdrawn.

    The API flips the status on a withdrawal; honouring the event as well keeps the engine right
    even when a caller hands us the row from before that update.
    """
    if app.status in ACTIVE_STATUSES:
        for event in app.events:
            if event.type == "withdrawal" and event.occurred_at <= as_of:
                return "withdrawn"
    return app.status


def build_facts(app: ApplicationIn, as_of: datetime, status: str | None = None) -> ApplicationFacts:
    """Index one application as of `as_of`; `status` is its effective_status when known."""
    events = sorted([e for e in app.events if e.occurred_at <= as_of], key=_EVENT_ORDER)
    interviews = sorted(app.interviews, key=_INTERVIEW_ORDER)
    ended = [interview for interview in interviews if as_of >= interview.ends_at]
    by_type: dict[str, list[EventIn]] = {}
    first_by_person: dict[_PersonKey, datetime] = {}
    latest_by_person: dict[_PersonKey, datetime] = {}
    latest_message_by_interview: dict[str, datetime] = {}
    latest_heads_up: dict[str, datetime] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
        if event.interviewer_id is not None:
            key = (event.type, event.interviewer_id)
            first_by_person.setdefault(key, event.occurred_at)
            latest_by_person[key] = event.occurred_at
        if event.type == "linkedin_message" and event.interview_id is not None:
            latest_message_by_interview[event.interview_id] = event.occurred_at
        elif event.type == "reference_heads_up" and event.reference_id is not None:
            latest_heads_up[event.reference_id] = event.occurred_at
    return ApplicationFacts(
        app=app,
        as_of=as_of,
        status=effective_status(app, as_of) if status is None else status,
        events=events,
        interviews=interviews,
        ended=ended,
        has_interview_to_come=len(ended) < len(interviews),
        people={person.id: person for person in app.interviewers},
        first_by_person=first_by_person,
        latest_by_person=latest_by_person,
        latest_message_by_interview=latest_message_by_interview,
        latest_heads_up_by_reference=latest_heads_up,
        by_type=by_type,
    )


@dataclass(slots=True)
class RuleContext:
    """Everything one application's rules may read, plus wording computed once per application.

    Every rule needs the company, the role and the sign-off, and several rules name the same
    interview day; computing them once here keeps the engine fast without caching across runs.
    """

    user: UserIn
    zone: ZoneInfo
    as_of: datetime
    facts: ApplicationFacts
    references: dict[str, ReferenceIn]
    company: str
    base: dict[str, object]  # template values every draft may use
    today: date  # as_of's calendar day where the user lives
    day_labels: dict[datetime, str] = field(default_factory=dict)
    # person id -> (name to show, greeting): see common.person_words.
    people_words: dict[str, tuple[str, str | None]] = field(default_factory=dict)
