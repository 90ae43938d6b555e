"""`followup demo`: a realistic sample account, so a newcomer sees a full dashboard at once.

Everything is created through the resource services (the same checks and side effects
as the API), relative to now: some interviews are over, one is tomorrow, so every kind
of next step shows up — thank-yous due, a reference to brief, a second status inquiry
after an unanswered one, a gracious reply to a noncommittal answer.

Each case a careful person would handle differently is in it: three interviewers of one
onsite, each thanked in their own words (the recruiter for arranging it, with the hint to
reply in her thread); a promised Friday whose follow-up waits for Monday morning; a
follow-up greeting the interviewer who replied when no recruiter is on file; a reference
with only a phone number, who gets a call script; and a briefing for an application with
no interview yet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationCreate
from app.applications.service import create_application
from app.applications.status import change_status
from app.auth.schemas import RegisterIn
from app.auth.service import register, user_by_email
from app.core.errors import Conflict, Unprocessable
from app.events.schemas import EventCreate
from app.events.service import record_event
from app.interviews.schemas import InterviewCreate
from app.interviews.service import create_interview
from app.models import Application, Interview, Interviewer, Reference, User
from app.models.base import utcnow
from app.people.interviewer_service import create_interviewer
from app.people.reference_service import create_reference
from app.people.schemas import InterviewerCreate, ReferenceCreate

DEFAULT_EMAIL = "demo@example.com"
DEMO_NAME = "Alex Morgan"
DEMO_TIMEZONE = "Europe/London"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    password: str
    applications: int


async def load_demo(
    session: AsyncSession, *, email: str = DEFAULT_EMAIL, password: str | None = None
) -> DemoAccount:
    """Create the account and its data (flushes only; the caller commits). 409 if the
    email is taken: the demo never touches an existing account."""
    if await user_by_email(session, email) is not None:
        raise Conflict(
            f"An account {email} already exists: log in with its password, or pass "
            "--email to load the demo into a new account."
        )
    try:
        login = RegisterIn(
            email=email,
            password=password or secrets.token_urlsafe(9),
            name=DEMO_NAME,
            timezone=DEMO_TIMEZONE,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise Unprocessable(f"Can't create the demo account: {problems}.") from exc
    user = await register(session, login)
    password = login.password
    builder = _Builder(session, user, utcnow().replace(second=0, microsecond=0))
    await builder.build()
    return DemoAccount(email=user.email, password=password, applications=builder.count)


class _Builder:
    def __init__(self, session: AsyncSession, user: User, now: datetime) -> None:
        self.session = session
        self.user = user
        self.now = now
        self.count = 0

    def ago(self, days: float = 0, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    def next_friday(self) -> date:
        """The first Friday after today where the demo user lives: a promise still to come."""
        today = self.now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
        return today + timedelta(days=(4 - today.weekday()) % 7 or 7)

    async def build(self) -> None:
        margaret = await self.reference(
            name="Margaret Hamilton",
            email="margaret.hamilton@example.org",
            relationship="former manager",
            company="Apollo Labs",
            title="Director of Engineering",
        )
        linus = await self.reference(
            name="Linus Okafor", phone="+44 20 7946 0958", relationship="former teammate"
        )
        await self.northwind(margaret)
        await self.contoso()
        await self.fabrikam()
        await self.globex(linus)
        await self.initech()
        # References asked for with the application, before any interview.
        await self.application(
            company="Umbrella Health",
            role_title="Backend Engineer",
            job_url="https://jobs.example.com/umbrella/4411",
            references_requested_at=self.ago(hours=6),
            reference_ids=[margaret.id],
            days_ago=2,
        )

    async def northwind(self, margaret: Reference) -> None:
        """Onsite yesterday: three thank-yous, one person without an email, references asked,
        and an answer promised by Friday, so the follow-up waits for Monday morning."""
        app = await self.application(
            company="Northwind Traders",
            role_title="Senior Backend Engineer",
            location="London (hybrid)",
            recruiter_name="Priya Shah",
            recruiter_email="priya.shah@northwind.example",
            follow_up_channel="email Priya",
            expected_response_by=self.next_friday(),
            second_round_expected=False,
            references_requested_at=self.ago(hours=20),
            reference_ids=[margaret.id],
            days_ago=18,
            history=(("interviewing", 10),),
        )
        priya = await self.person(
            app,
            name="Priya Shah",
            title="Technical Recruiter",
            email="priya.shah@northwind.example",
        )
        tom = await self.person(
            app,
            name="Tom Becker",
            title="Engineering Manager",
            email="tom.becker@northwind.example",
            linkedin_url="https://www.linkedin.com/in/tom-becker-example",
            is_main_contact=True,
        )
        sam = await self.person(app, name="Sam")  # no title or email yet: ask the recruiter
        screen = await self.interview(app, [priya], days_ago=9, kind="phone_screen", round=1)
        await self.event(app, "next_steps_asked", days_ago=9, interview=screen)
        await self.event(
            app, "thank_you_email", days_ago=8.8, interview=screen, person=priya, channel="email"
        )
        await self.event(app, "linkedin_connection", days_ago=8, person=priya, channel="linkedin")
        await self.event(
            app,
            "handwritten_note",
            days_ago=8,
            interview=screen,
            person=priya,
            channel="handwritten",
        )
        # Priya met the candidate at the onsite too: she is thanked for arranging the day.
        await self.interview(
            app,
            [priya, tom, sam],
            days_ago=1,
            kind="onsite",
            round=2,
            topics="moving the order pipeline to event sourcing",
            mutual_interests="the Rust-in-the-Linux-kernel debate",
        )

    async def contoso(self) -> None:
        """A video interview tomorrow: time to prepare the questions for the end."""
        app = await self.application(
            company="Contoso",
            role_title="Platform Engineer",
            location="Remote (UK)",
            recruiter_name="Jordan Lee",
            days_ago=6,
            history=(("interviewing", 3),),
        )
        lena = await self.person(
            app, name="Lena Fischer", title="Head of Platform", email="lena.fischer@contoso.example"
        )
        await self.interview(app, [lena], days_ago=-(20 / 24), kind="video", round=1)

    async def fabrikam(self) -> None:
        """Silence after the interview, and one status inquiry still unanswered."""
        app = await self.application(
            company="Fabrikam",
            role_title="Data Engineer",
            recruiter_name="Chris Adams",
            recruiter_email="chris.adams@fabrikam.example",
            days_ago=25,
            history=(("interviewing", 18),),
        )
        chris = await self.person(
            app, name="Chris Adams", title="Talent Partner", email="chris.adams@fabrikam.example"
        )
        dana = await self.person(
            app, name="Dana Kim", title="Lead Data Engineer", email="dana.kim@fabrikam.example"
        )
        onsite = await self.interview(app, [chris, dana], days_ago=16, kind="technical", round=1)
        await self.event(
            app,
            "next_steps_asked",
            days_ago=15.96,
            interview=onsite,
            notes="A decision within a week; email Chris; no second round.",
        )
        for who in (chris, dana):
            await self.event(
                app, "thank_you_email", days_ago=15.9, interview=onsite, person=who, channel="email"
            )
            await self.event(
                app,
                "handwritten_note",
                days_ago=15,
                interview=onsite,
                person=who,
                channel="handwritten",
            )
            await self.event(
                app, "linkedin_connection", days_ago=15, person=who, channel="linkedin"
            )
        await self.event(
            app,
            "status_inquiry",
            days_ago=8,
            person=chris,
            channel="email",
            notes="Asked politely whether there is news on the decision.",
        )

    async def globex(self, linus: Reference) -> None:
        """A noncommittal reply two days ago, no recruiter on file: answer Omar graciously,
        and brief a reference who has only a phone number."""
        app = await self.application(
            company="Globex Corporation",
            role_title="Site Reliability Engineer",
            location="Manchester",
            days_ago=14,
            history=(("interviewing", 8),),
            references_requested_at=self.ago(days=1),
            reference_ids=[linus.id],
        )
        omar = await self.person(
            app, name="Omar Haddad", title="SRE Manager", email="omar.haddad@globex.example"
        )
        panel = await self.interview(app, [omar], days_ago=7, kind="panel", round=1)
        await self.event(app, "next_steps_asked", days_ago=6.96, interview=panel)
        await self.event(
            app, "thank_you_email", days_ago=6.9, interview=panel, person=omar, channel="email"
        )
        await self.event(
            app, "handwritten_note", days_ago=6, interview=panel, person=omar, channel="handwritten"
        )
        await self.event(app, "linkedin_connection", days_ago=6, person=omar, channel="linkedin")
        await self.event(
            app,
            "reply_received",
            days_ago=2,
            person=omar,
            channel="email",
            response="noncommittal",
            notes="Still talking to other candidates; will be in touch.",
        )

    async def initech(self) -> None:
        """A finished process: rejected after the first round."""
        app = await self.application(
            company="Initech",
            role_title="Software Engineer II",
            days_ago=30,
            history=(("interviewing", 23), ("rejected", 12)),
        )
        bill = await self.person(app, name="Bill Lumbergh", title="Division VP")
        screen = await self.interview(app, [bill], days_ago=21, kind="phone_screen", round=1)
        await self.event(
            app, "thank_you_email", days_ago=20.9, interview=screen, person=bill, channel="email"
        )
        await self.event(
            app, "reply_received", days_ago=12, person=bill, channel="email", response="rejection"
        )

    # Thin wrappers around the services -------------------------------------------------

    async def reference(self, **fields: Any) -> Reference:
        return await create_reference(self.session, self.user, ReferenceCreate(**fields))

    async def application(
        self, *, days_ago: float, history: tuple[tuple[str, float], ...] = (), **fields: Any
    ) -> Application:
        """Created `days_ago` as applied, then moved through `history` ((status, days ago))."""
        app = await create_application(
            self.session, self.user, ApplicationCreate.model_validate(fields)
        )
        # When it was added: what a timeline and the CSV export show as "applied on".
        app.created_at = app.updated_at = self.ago(days=days_ago)
        await self.session.flush()
        for status, when in history:
            await change_status(self.session, app, status, occurred_at=self.ago(days=when))
        self.count += 1
        return app

    async def person(self, app: Application, **fields: Any) -> Interviewer:
        return await create_interviewer(self.session, app, InterviewerCreate(**fields))

    async def interview(
        self, app: Application, people: list[Interviewer], *, days_ago: float, **fields: Any
    ) -> Interview:
        data = InterviewCreate(
            starts_at=self.ago(days=days_ago), interviewer_ids=[p.id for p in people], **fields
        )
        return await create_interview(self.session, app, data)

    async def event(
        self,
        app: Application,
        type_: str,
        *,
        days_ago: float,
        interview: Interview | None = None,
        person: Interviewer | None = None,
        **fields: Any,
    ) -> None:
        data = EventCreate.model_validate(
            {
                "type": type_,
                "occurred_at": self.ago(days=days_ago),
                "interview_id": interview.id if interview else None,
                "interviewer_id": person.id if person else None,
                **fields,
            }
        )
        await record_event(self.session, app, data)
