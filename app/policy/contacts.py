"""Who a message to the employer goes to, and who counts as the main contact in a room.

The recruiter is often entered twice: as the application's recruiter and as one of its
people (they ran the phone screen, or greeted you at the onsite). Both are the same person,
recognised by email or, lacking one, by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.policy.facts import ApplicationFacts
from app.policy.inputs import ApplicationIn, PersonIn
from app.policy.text import clean, greeting_name


@dataclass(frozen=True, slots=True)
class Addressee:
    person: PersonIn | None  # None when the message goes to a recruiter nobody recorded as a person
    greeting: str | None  # "Omar" for "Hi Omar,"; None when no name is known ("Hello,")


def _folded(value: str | None) -> str | None:
    text = clean(value)
    return text.casefold() if text is not None else None


def is_recruiter(app: ApplicationIn, person: PersonIn) -> bool:
    """Whether this person is the application's recruiter, entered again as one of its people."""
    email = _folded(app.recruiter_email)
    if email is not None and email == _folded(person.email):
        return True
    name = _folded(app.recruiter_name)
    return name is not None and name == _folded(person.name)


def arranger_of(app: ApplicationIn, people: list[PersonIn]) -> PersonIn | None:
    """The one person of an interview to thank for arranging it rather than for the talk.

    The recruiter if they were there, else the person marked main contact; never two people,
    so two interviewers never get the same words.
    """
    recruiters = [person for person in people if is_recruiter(app, person)]
    if recruiters:
        return min(recruiters, key=lambda person: person.id)
    mains = [person for person in people if person.is_main_contact]
    return min(mains, key=lambda person: person.id) if mains else None


def employer_addressee(facts: ApplicationFacts) -> Addressee:
    """Whom an inquiry, a reply to their update or a withdrawal goes to.

    The application's recruiter, else the person marked main contact, else the last
    interviewer met: a message to a named person gets read, and "Hello," is only for when no
    name is known at all.
    """
    app = facts.app
    people = sorted(facts.people.values(), key=lambda person: person.id)
    if clean(app.recruiter_name) is not None or clean(app.recruiter_email) is not None:
        person = next((p for p in people if is_recruiter(app, p)), None)
        name = app.recruiter_name if clean(app.recruiter_name) else None
        if name is None and person is not None:
            name = person.name
        return Addressee(person, greeting_name(name))
    main = facts.main_contact
    if main is not None:
        return Addressee(main, greeting_name(main.name))
    for interview in sorted(facts.ended, key=lambda iv: (iv.ends_at, iv.id), reverse=True):
        met = facts.interviewers_of(interview)
        if met:
            return Addressee(met[0], greeting_name(met[0].name))
    return Addressee(None, None)
