"""Throughput of the policy engine: applications evaluated per second on one core.

    .venv/bin/python bench/bench_policy_engine.py [--applications 10000] [--runs 5] [--all-active]

Builds synthetic applications (2 interviews, 3 interviewers, 6 events each) and evaluates them
the way the scheduler does: one `recommend` call per user, 10 applications per user. Prints the
best of several runs. Every person and company name is unique, so nothing is served from a
cache that real data would miss. Target: >= 20,000 applications/s.

The data models an account over a job search: half the applications are finished (rejected,
closed, withdrawn), as most are by the time a search ends; the other half span five weeks of
interviews, and the six events are what a user who acts on the advice logs (next steps asked,
thank-yous, a note, a connection, then a reply, an inquiry or another thank-you). The run time
grows with the number of *open* recommendations (each is hashed, drafted and allocated), so the
output reports that count too; `--all-active` makes every application active, the worst case.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The path tweak above makes `app` importable when run as a script from anywhere.
from app.policy import (
    ApplicationIn,
    EventIn,
    InterviewIn,
    PersonIn,
    ReferenceIn,
    UserIn,
    recommend,
)

AS_OF = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
APPS_PER_USER = 10
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
# One finished application in two: a realistic account, not only the live ones.
_STATUSES = ("interviewing",) * 8 + ("applied", "offer") + ("rejected",) * 5 + ("closed",) * 3
_STATUSES += ("withdrawn",) * 2
_RESPONSES = ("positive", "noncommittal", "next_round")


def _event(
    app_id: str, n: int, kind: str, at: datetime, person: str | None, interview: str
) -> EventIn:
    return EventIn(
        id=f"{app_id}-e{n}",
        type=kind,
        occurred_at=at,
        interviewer_id=person,
        interview_id=interview,
        reference_id=None,
        channel="email",
        response=_RESPONSES[n % 3] if kind == "reply_received" else None,
        to_status=None,
    )


def synthetic_application(index: int, all_active: bool = False) -> ApplicationIn:
    app_id = f"app-{index}"
    # Interviews from five weeks ago to a few days ahead, so every rule family is live.
    first_start = AS_OF - _HOUR * ((index * 7919) % (24 * 38) - 72)
    people = tuple(
        PersonIn(
            id=f"{app_id}-p{k}",
            name=f"Person{index}x{k} Surname{k}",
            title=None if k == 2 else f"Engineering Manager {k}",
            email=None if k == 1 and index % 3 == 0 else f"p{k}@company{index}.example",
            linkedin_url=None if k else f"https://www.linkedin.com/in/person{index}",
            is_main_contact=k == 0,
        )
        for k in range(3)
    )
    interviews = tuple(
        InterviewIn(
            id=f"{app_id}-i{n}",
            starts_at=first_start + 4 * n * _DAY,
            ends_at=first_start + 4 * n * _DAY + _HOUR,
            kind=("video", "onsite")[n],
            round=n + 1,
            interviewer_ids=(people[0].id, people[n + 1].id),
            topics=f"the migration of service {index} to event sourcing" if n == 0 else None,
            mutual_interests="open-source observability tooling" if index % 2 else None,
        )
        for n in range(2)
    )
    first_end, second_end = interviews[0].ends_at, interviews[1].ends_at
    p0, p1, p2 = (person.id for person in people)
    i0, i1 = (interview.id for interview in interviews)
    last = (
        _event(app_id, 5, "reply_received", second_end + 2 * _DAY, None, i1),
        _event(app_id, 5, "status_inquiry", second_end + 8 * _DAY, None, i1),
        _event(app_id, 5, "thank_you_email", second_end + 5 * _HOUR, p2, i1),
    )[index % 3]
    events = (
        _event(app_id, 0, "next_steps_asked", first_end, None, i0),
        _event(app_id, 1, "thank_you_email", first_end + 3 * _HOUR, p0, i0),
        _event(app_id, 2, "thank_you_email", first_end + 4 * _HOUR, p1, i0),
        _event(app_id, 3, "handwritten_note", first_end + _DAY, p0, i0),
        _event(app_id, 4, "linkedin_connection", first_end + 36 * _HOUR, p0, i0),
        last,
    )
    status = "interviewing" if all_active else _STATUSES[index % len(_STATUSES)]
    return ApplicationIn(
        id=app_id,
        company=f"Company {index} GmbH",
        role_title=f"Senior Engineer {index}",
        status=status,
        created_at=first_start - 10 * _DAY,
        recruiter_name=f"Recruiter{index} Person" if index % 4 else None,
        recruiter_email=f"jobs@company{index}.example" if index % 4 else None,
        expected_response_by=(first_start + 9 * _DAY).date() if index % 3 == 1 else None,
        follow_up_channel="email" if index % 2 else None,
        second_round_expected=None,
        references_requested_at=first_start + 6 * _DAY if index % 4 == 0 else None,
        reference_ids=(f"ref-{index % 7}",) if index % 8 == 0 else (),
        interviews=interviews,
        interviewers=people,
        events=events,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Policy engine throughput")
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--all-active", action="store_true", help="worst case: none finished")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as promised
    applications = [synthetic_application(i, args.all_active) for i in range(args.applications)]
    references = [
        ReferenceIn(f"ref-{k}", f"Reference {k}", f"ref{k}@x.example", "manager", None, None)
        for k in range(7)
    ]
    users = [
        (UserIn(f"User {u}", ("Europe/Berlin", "America/New_York", "UTC")[u % 3]), chunk)
        for u, chunk in enumerate(
            applications[i : i + APPS_PER_USER] for i in range(0, len(applications), APPS_PER_USER)
        )
    ]
    best = float("inf")
    recommendations = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        recommendations = sum(len(recommend(u, apps, references, AS_OF)) for u, apps in users)
        best = min(best, time.perf_counter() - started)
    active = sum(app.status in {"applied", "interviewing", "offer"} for app in applications)
    print(
        f"{args.applications} applications ({active} active), {recommendations} open "
        f"recommendations ({recommendations / args.applications:.1f} per application)\n"
        f"best of {args.runs}: {best:.3f} s = {args.applications / best:,.0f} applications/s, "
        f"{best / max(recommendations, 1) * 1e6:.1f} µs per recommendation"
    )


if __name__ == "__main__":
    main()
