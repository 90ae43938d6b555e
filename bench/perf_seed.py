"""Seed the benchmark database through the service layer, as the API would.

Every row goes through the same service functions the routes call (validation, the
outbox check, reference and interviewer lookups), so the data has exactly the shape
real use gives it. One "heavy" user has a long job search (1,000 applications by
default); the other users have a few applications each, so the heavy user's queries
run against a table that also holds other people's rows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationCreate
from app.applications.service import create_application
from app.auth.service import create_user, issue_token
from app.core.db import create_engine, create_sessionmaker
from app.events.schemas import EventCreate
from app.events.service import record_event
from app.interviews.schemas import InterviewCreate
from app.interviews.service import create_interview
from app.models import User
from app.people.interviewer_service import create_interviewer
from app.people.schemas import InterviewerCreate
from app.web.sessions import start_session

PASSWORD = "bench-password-123"
# Half of a long search's applications are finished (as in bench_policy_engine.py).
STATUSES: tuple[str, ...] = (
    ("interviewing",) * 8 + ("applied", "offer") + ("rejected",) * 5 + ("closed",) * 3
)
STATUSES += ("withdrawn",) * 2
# Six events per application, as a real thread goes: thanks, a note, LinkedIn,
# a nudge, their answer, a private note.
EVENTS = (
    ("thank_you_email", "email"),
    ("handwritten_note", "handwritten"),
    ("linkedin_connection", "linkedin"),
    ("status_inquiry", "email"),
    ("reply_received", "email"),
    ("note", None),
)


@dataclass(frozen=True, slots=True)
class Account:
    email: str
    token: str
    web_cookie: str
    applications: int


async def _application(
    session: AsyncSession, user: User, i: int, now: datetime, interviews: int, people: int
) -> str:
    application = await create_application(
        session,
        user,
        ApplicationCreate(
            company=f"Company {i}",
            role_title="Backend Engineer",
            status=STATUSES[i % len(STATUSES)],
            location="Berlin (hybrid)",
            recruiter_name="Rita Recruiter" if i % 2 else None,
            recruiter_email="rita@example.com" if i % 2 else None,
            notes="Referred by a former colleague.",
        ),
    )
    interviewers = [
        await create_interviewer(
            session,
            application,
            InterviewerCreate(
                name=f"Person {i}-{p}",
                title="Engineering Manager" if p == 0 else None,
                email=f"person{i}-{p}@example.com" if p != 2 else None,
            ),
        )
        for p in range(people)
    ]
    created = []
    for r in range(interviews):
        start = now - timedelta(days=14 - 7 * r, hours=i % 24)
        created.append(
            await create_interview(
                session,
                application,
                InterviewCreate(
                    starts_at=start,
                    round=r + 1,
                    topics="the billing pipeline" if r else None,
                    interviewer_ids=[p.id for p in interviewers[r : r + 2]],
                ),
            )
        )
    for e, (kind, channel) in enumerate(EVENTS[: 6 if interviews else 0]):
        await record_event(
            session,
            application,
            EventCreate.model_validate(
                {
                    "type": kind,
                    "channel": channel,
                    "occurred_at": now - timedelta(days=6 - e),
                    "interviewer_id": interviewers[e % len(interviewers)].id
                    if kind != "note" and interviewers
                    else None,
                    "interview_id": created[-1].id if created else None,
                    "response": "noncommittal" if kind == "reply_received" else None,
                }
            ),
        )
    return str(application.id)


async def _user(
    session: AsyncSession, email: str, applications: int, *, interviews: int, people: int
) -> tuple[Account, list[str]]:
    now = datetime.now(UTC)
    user = await create_user(session, email=email, password=PASSWORD, name="Bench User")
    _, token = await issue_token(session, user, kind="personal", name="bench", expires_at=None)
    _, cookie = await start_session(session, user)
    await session.commit()
    ids = []
    for i in range(applications):
        ids.append(await _application(session, user, i, now, interviews, people))
        await session.commit()  # one transaction per application, as the API does it
    return Account(email, token, cookie, applications), ids


@dataclass(frozen=True, slots=True)
class Seeded:
    heavy: Account
    heavy_application_id: str
    light: Account


async def seed(url: str, *, users: int, heavy_applications: int, light_applications: int) -> Seeded:
    """`users` accounts: the first one heavy, the rest with a few applications each."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            heavy, heavy_ids = await _user(
                session, "heavy@example.com", heavy_applications, interviews=2, people=3
            )
            light, _ = await _user(
                session, "light@example.com", light_applications, interviews=2, people=3
            )
            for n in range(users - 2):
                # Other tenants: same shape, smaller searches.
                await _user(
                    session,
                    f"user{n}-{secrets.token_hex(2)}@example.com",
                    light_applications,
                    interviews=1,
                    people=1,
                )
    finally:
        await engine.dispose()
    return Seeded(heavy=heavy, heavy_application_id=heavy_ids[-1], light=light)
