"""The application's recruiter and its main-contact person, kept as one person on the pages.

An application stores its recruiter as two fields (`recruiter_name`, `recruiter_email`),
which API clients and the policy read; its people may include the same person, marked
`is_main_contact`. Typed in twice, the two drift apart (two spellings, two titles). The
pages therefore enter the main contact once and keep both sides in step:

- saving the application's form makes its recruiter one of its people, marked main
  contact: the person already there with the same email (or, without one, the same name),
  else a new one;
- saving a person marked main contact makes them the application's recruiter; a person
  who was the recruiter and is unmarked or removed leaves the application with none.

An application has at most one person marked main contact after either. The API stores
what it is sent, so that a client creating its own people never finds one it did not add.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationPatch
from app.applications.service import update_application
from app.models import Application, Interviewer
from app.people import interviewer_service
from app.people.schemas import InterviewerCreate, InterviewerPatch


def _folded(value: str | None) -> str | None:
    text = (value or "").strip()
    return text.casefold() if text else None


def is_recruiter(application: Application, person: Interviewer) -> bool:
    """Whether this person is the application's recruiter: the same email, or the same
    name when either side has no email."""
    email, person_email = _folded(application.recruiter_email), _folded(person.email)
    if email is not None and person_email is not None:
        return email == person_email
    name = _folded(application.recruiter_name)
    return name is not None and name == _folded(person.name)


def has_recruiter(application: Application) -> bool:
    return bool(_folded(application.recruiter_name) or _folded(application.recruiter_email))


async def people_of(session: AsyncSession, application: Application) -> Sequence[Interviewer]:
    return (
        await session.scalars(
            select(Interviewer)
            .where(Interviewer.application_id == application.id)
            .order_by(Interviewer.created_at, Interviewer.id)
        )
    ).all()


def recruiter_person(application: Application, people: Sequence[Interviewer]) -> Interviewer | None:
    """The person marked main contact who is the application's recruiter, if any."""
    return next((p for p in people if p.is_main_contact and is_recruiter(application, p)), None)


async def link_recruiter(
    session: AsyncSession, application: Application, *, previous: Interviewer | None = None
) -> Interviewer | None:
    """After the application's form: its recruiter as one of its people, the only one
    marked main contact; what was typed on the form wins over the person's old spelling.

    The person is created when nobody matches. A recruiter cleared from the form unmarks
    `previous` (`recruiter_person` before the edit). None when there is no recruiter.
    """
    people = await people_of(session, application)
    if not has_recruiter(application):
        if previous is not None and previous.is_main_contact:
            await _update_person(session, previous, {"is_main_contact": False})
        return None
    person = next((p for p in people if is_recruiter(application, p)), None)
    if person is None:
        name = (application.recruiter_name or application.recruiter_email or "").strip()
        data = InterviewerCreate(name=name, email=application.recruiter_email, is_main_contact=True)
        person = await interviewer_service.create_interviewer(session, application, data)
    else:
        typed = {"name": application.recruiter_name, "email": application.recruiter_email}
        changes: dict[str, object] = {
            field: value
            for field, value in typed.items()
            if value and value.strip() and value != getattr(person, field)
        }
        if not person.is_main_contact:
            changes["is_main_contact"] = True
        await _update_person(session, person, changes)
        if not (application.recruiter_name or "").strip():
            # Only the email was typed: the person's name lets drafts greet them by name.
            await _set_recruiter(session, application, person.name, application.recruiter_email)
    await _unmark_others(session, people, person)
    return person


async def follow_person(
    session: AsyncSession, application: Application, person: Interviewer, *, was_recruiter: bool
) -> None:
    """After a person's form: a main contact becomes the application's recruiter, and the
    recruiter unmarked stops being it. `was_recruiter` is `is_recruiter` before the edit."""
    if person.is_main_contact:
        await _unmark_others(session, await people_of(session, application), person)
        if (application.recruiter_name, application.recruiter_email) != (person.name, person.email):
            await _set_recruiter(session, application, person.name, person.email)
    elif was_recruiter:
        await _set_recruiter(session, application, None, None)


async def forget_person(
    session: AsyncSession, application: Application, person: Interviewer
) -> None:
    """Before a person is removed: if they are the recruiter, the application has none."""
    if person.is_main_contact and is_recruiter(application, person):
        await _set_recruiter(session, application, None, None)


async def _set_recruiter(
    session: AsyncSession, application: Application, name: str | None, email: str | None
) -> None:
    patch = ApplicationPatch(recruiter_name=name, recruiter_email=email)
    await update_application(session, application, patch)


async def _update_person(
    session: AsyncSession, person: Interviewer, changes: dict[str, object]
) -> None:
    if changes:
        patch = InterviewerPatch.model_validate(changes)
        await interviewer_service.update_interviewer(session, person, patch)


async def _unmark_others(
    session: AsyncSession, people: Sequence[Interviewer], main: Interviewer
) -> None:
    for other in people:
        if other.id != main.id and other.is_main_contact:
            await _update_person(session, other, {"is_main_contact": False})
