"""Hypothesis strategies: small but dense worlds where rules interact.

Times are drawn on an hourly grid inside a few weeks, so interviews, events and as_of often
coincide or straddle each other's boundaries — where off-by-one bugs live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app.policy import (
    ApplicationIn,
    EventIn,
    InterviewIn,
    PersonIn,
    ReferenceIn,
    UserIn,
)

# Bounded and deterministic: fast in CI, reproducible from a failure report. Applied per test
# rather than as a global profile, so other test packages keep their own hypothesis settings.
POLICY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

START = datetime(2025, 3, 1, tzinfo=UTC)
SPAN_HOURS = 24 * 35
EVENT_TYPES = (
    "next_steps_asked",
    "contact_info_requested",
    "thank_you_email",
    "handwritten_note",
    "linkedin_connection",
    "linkedin_message",
    "status_inquiry",
    "reply_received",
    "reference_heads_up",
    "withdrawal",
    "note",
    "status_changed",
)
STATUSES = ("applied", "interviewing", "offer", "accepted", "rejected", "withdrawn", "closed")
# Mostly active, so most worlds have something to recommend.
LIKELY_STATUSES = st.sampled_from(STATUSES[:3]) | st.sampled_from(STATUSES)
NAMES = ("Jane Doe", "Dr. Bob Stone", "Cy", "María José Carreño Quiñones", "Li Wei")
TOPICS = (None, "the payments API", "scaling Postgres.", "  onboarding   and mentoring ")
# Pacific/Auckland's Saturday starts on Friday UTC; Los Angeles' Saturday ends on Sunday UTC.
TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Los_Angeles",
)


@dataclass(frozen=True)
class World:
    user: UserIn
    applications: list[ApplicationIn]
    references: list[ReferenceIn]
    as_of: datetime


def hours(first: int = 0, last: int = SPAN_HOURS) -> st.SearchStrategy[datetime]:
    return st.integers(first, last).map(lambda h: START + timedelta(hours=h))


# Interviews in the first half of the span and as_of mostly in the second, so most worlds have
# ended interviews and a silence clock running; follow-up events are drawn more often.
INTERVIEW_TIMES = hours(0, SPAN_HOURS // 2)
AS_OF_TIMES = hours(SPAN_HOURS // 4, SPAN_HOURS) | hours()
LIKELY_EVENT_TYPES = st.sampled_from(EVENT_TYPES) | st.sampled_from(
    ("status_inquiry", "reply_received", "thank_you_email")
)


@st.composite
def applications(draw: st.DrawFn, index: int, reference_ids: tuple[str, ...]) -> ApplicationIn:
    app_id = f"a{index}"
    people = tuple(
        PersonIn(
            id=f"{app_id}-p{k}",
            name=draw(st.sampled_from(NAMES)),
            title=draw(st.sampled_from((None, "CTO", "Engineering Manager"))),
            email=draw(st.sampled_from((None, f"p{k}@example.com"))),
            linkedin_url=draw(st.sampled_from((None, "https://www.linkedin.com/in/x"))),
            is_main_contact=draw(st.booleans()),
        )
        for k in range(draw(st.integers(0, 3)))
    )
    person_ids = [p.id for p in people]
    interviews = []
    for k in range(draw(st.integers(0, 3))):
        starts_at = draw(INTERVIEW_TIMES)
        interviews.append(
            InterviewIn(
                id=f"{app_id}-i{k}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=draw(st.sampled_from((30, 60, 180)))),
                kind=draw(st.sampled_from((None, "video", "onsite", "phone_screen"))),
                round=k + 1,
                interviewer_ids=tuple(
                    draw(st.lists(st.sampled_from(person_ids), max_size=3)) if person_ids else ()
                ),
                topics=draw(st.sampled_from(TOPICS)),
                mutual_interests=draw(st.sampled_from((None, "AI code review"))),
            )
        )
    interview_ids = [iv.id for iv in interviews]
    events = []
    for k in range(draw(st.integers(0, 6))):
        kind = draw(LIKELY_EVENT_TYPES)
        events.append(
            EventIn(
                id=f"{app_id}-e{k}",
                type=kind,
                occurred_at=draw(hours()),
                interviewer_id=draw(st.sampled_from((None, *person_ids))),
                interview_id=draw(st.sampled_from((None, *interview_ids))),
                reference_id=draw(st.sampled_from((None, *reference_ids))),
                channel=draw(st.sampled_from((None, "email", "linkedin"))),
                response=(
                    draw(
                        st.sampled_from(
                            ("positive", "noncommittal", "next_round", "offer", "rejection")
                        )
                    )
                    if kind == "reply_received"
                    else None
                ),
                to_status=draw(st.sampled_from(STATUSES)) if kind == "status_changed" else None,
            )
        )
    if interviews:
        # A follow-up thread after the last interview, where the silence rules live: a few
        # inquiries (often two, to reach move_on) and perhaps a reply.
        last_end = max(iv.ends_at for iv in interviews)
        offsets = draw(st.lists(st.integers(0, 24 * 16), max_size=3))
        replies = draw(st.lists(st.integers(0, 24 * 20), max_size=1))
        for k, offset in enumerate(offsets):
            events.append(
                EventIn(
                    f"{app_id}-q{k}",
                    "status_inquiry",
                    last_end + timedelta(hours=offset),
                    None,
                    None,
                    None,
                    "email",
                    None,
                    None,
                )
            )
        for k, offset in enumerate(replies):
            response = draw(st.sampled_from(("positive", "noncommittal", "offer", "rejection")))
            events.append(
                EventIn(
                    f"{app_id}-r{k}",
                    "reply_received",
                    last_end + timedelta(hours=offset),
                    draw(st.sampled_from((None, *person_ids))),
                    None,
                    None,
                    "email",
                    response,
                    None,
                )
            )
    expected = draw(st.none() | hours().map(lambda moment: moment.date()))
    return ApplicationIn(
        id=app_id,
        company=draw(st.sampled_from(("Acme", "Globex Corporation", "Initech"))),
        role_title=draw(st.sampled_from(("Backend Engineer", "Head of Data", "SRE"))),
        status=draw(LIKELY_STATUSES),
        created_at=draw(hours()) - timedelta(days=10),
        recruiter_name=draw(st.sampled_from((None, "Sam Rivera"))),
        recruiter_email=draw(st.sampled_from((None, "sam@example.com"))),
        expected_response_by=expected,
        follow_up_channel=draw(st.sampled_from((None, "email", "LinkedIn", "phone call"))),
        second_round_expected=draw(st.sampled_from((None, True, False))),
        references_requested_at=draw(st.none() | hours()),
        reference_ids=tuple(draw(st.lists(st.sampled_from(reference_ids), max_size=2)))
        if reference_ids
        else (),
        interviews=tuple(interviews),
        interviewers=people,
        events=tuple(events),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    references = [
        ReferenceIn(
            id=f"r{k}",
            name=draw(st.sampled_from(NAMES)),
            email=draw(st.sampled_from((None, f"r{k}@example.org"))),
            relationship=None,
            company=None,
            title=None,
        )
        for k in range(draw(st.integers(0, 2)))
    ]
    reference_ids = tuple(ref.id for ref in references)
    count = draw(st.integers(1, 4))
    apps = [draw(applications(index, reference_ids)) for index in range(count)]
    return World(
        user=UserIn(
            name=draw(st.sampled_from(("Chris Candidate", "", "Ana"))),
            timezone=draw(st.sampled_from(TIMEZONES)),
        ),
        applications=apps,
        references=references,
        as_of=draw(AS_OF_TIMES) + timedelta(minutes=draw(st.sampled_from((0, 30)))),
    )
