"""Wording shared by several rule families: names, sign-offs, channels."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.policy.facts import ApplicationFacts, RuleContext
from app.policy.inputs import PersonIn, ReferenceIn, UserIn
from app.policy.text import clean, clean_uncached, day_label, greeting_name, greeting_of_clean

DAY = timedelta(days=1)
WEEK = timedelta(days=7)

# Event channels the API accepts; a free-text follow_up_channel is mapped onto one of them.
_CHANNEL_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("linkedin", "linkedin"),
    ("phone", "phone"),
    ("call", "phone"),
    ("in person", "in_person"),
    ("in-person", "in_person"),
    ("mail", "email"),
)


def company(ctx: RuleContext) -> str:
    return ctx.company


def role_phrase(role_title: str) -> str:
    """The role as a phrase, e.g. the Data Engineer role, without doubling "role" or "position"."""
    role = clean(role_title)
    if role is None:
        return "the role"
    if role.lower().endswith((" role", " position", " job")):
        return f"the {role}"
    return f"the {role} role"


def rule_context(
    user: UserIn,
    zone: ZoneInfo,
    as_of: datetime,
    facts: ApplicationFacts,
    references: dict[str, ReferenceIn],
    today: date | None = None,
) -> RuleContext:
    """`today` is as_of's local date; callers evaluating many applications pass it once."""
    app = facts.app
    company_name = clean(app.company) or "the company"
    base: dict[str, object] = {
        "user_name": clean(user.name),
        "company": company_name,
        "role_phrase": role_phrase(app.role_title),
        "role": clean(app.role_title),
        "recruiter_greeting": greeting_name(app.recruiter_name),
    }
    if today is None:
        today = as_of.astimezone(zone).date()
    return RuleContext(user, zone, as_of, facts, references, company_name, base, today)


def person_words(ctx: RuleContext, person: PersonIn) -> tuple[str, str | None]:
    """(the cleaned name or "your interviewer", greeting_name(person.name)), worked out once
    per application.

    Several rules name the same interviewer. The module-level caches in text.py rarely help
    with names: the scheduler sees far more people than those caches hold, so a name's first
    lookup is nearly always a miss, which costs more than cleaning it here once.
    """
    words = ctx.people_words.get(person.id)
    if words is None:
        cleaned = clean_uncached(person.name)
        words = (cleaned or "your interviewer", greeting_of_clean(cleaned))
        ctx.people_words[person.id] = words
    return words


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def day_of(ctx: RuleContext, moment: datetime) -> str:
    label = ctx.day_labels.get(moment)
    if label is None:
        day = moment.astimezone(ctx.zone).date()
        label = ctx.day_labels[moment] = day_label(day, ctx.today)
    return label


def base_context(ctx: RuleContext) -> dict[str, object]:
    """Keys every template may use (callers extend a copy with `|`)."""
    return ctx.base


def follow_up_channel(ctx: RuleContext) -> str:
    """The event channel matching "the best way to follow up" they gave; email by default."""
    said = clean(ctx.facts.app.follow_up_channel)
    if said is not None:
        lowered = said.lower()
        for keyword, channel in _CHANNEL_KEYWORDS:
            if keyword in lowered:
                return channel
    return "email"
