"""Rules about the interview itself: ask about next steps, know who was there, reach them."""

from __future__ import annotations

from app.policy.build import make_recommendation
from app.policy.common import DAY, base_context, company, day_of, join_names, person_words
from app.policy.contacts import employer_addressee
from app.policy.drafts import render
from app.policy.facts import WAITING_STATUSES, RuleContext
from app.policy.inputs import InterviewIn, PersonIn
from app.policy.outputs import Completion, Recommendation
from app.policy.text import clean


def ask_next_steps(ctx: RuleContext) -> list[Recommendation]:
    """One per application, tied to the latest interview whose 24-hour window has opened.

    The answers (a response date, a follow-up channel) belong to the application, and
    `expected_response_by` is an application field, so once they are known for one interview
    asking again at every round would be noise.
    """
    facts = ctx.facts
    app = facts.app
    # With an offer in hand there is nothing left to ask about the timeline.
    if facts.status not in WAITING_STATUSES:
        return []
    if app.expected_response_by is not None or facts.of_type("next_steps_asked"):
        return []
    opened = [iv for iv in facts.interviews if iv.starts_at - DAY <= ctx.as_of]
    if not opened:
        return []
    interview = opened[-1]
    ended = ctx.as_of >= interview.ends_at
    addressee = employer_addressee(facts).greeting
    draft = render(
        "ask_next_steps",
        base_context(ctx)
        | {
            "ended": ended,
            "greeting": addressee,
            "day": day_of(ctx, interview.starts_at),
            "ask_channel": app.follow_up_channel is None,
            "ask_second_round": app.second_round_expected is None,
        },
    )
    why = (
        "Knowing the day they expect to decide and how they like to be followed up tells you "
        "exactly when a polite nudge is right, instead of guessing."
    )
    if ended:
        title = f"Ask {company(ctx)} about next steps"
        rationale = f"You haven't recorded when to expect an answer. {why}"
    else:
        title = f"Ask about next steps before your {company(ctx)} interview ends"
        rationale = f"{why} The easiest moment to ask is before you leave the interview."
    channel = "email" if ended else None
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="ask_next_steps",
            application_id=app.id,
            interview_id=interview.id,
            title=title,
            rationale=rationale,
            due_at=interview.ends_at,
            channel=channel,
            draft=draft,
            completion=Completion(
                kind="event",
                event_type="next_steps_asked",
                interview_id=interview.id,
                channel=channel,
            ),
        )
    ]


def record_interviewers(ctx: RuleContext) -> list[Recommendation]:
    facts = ctx.facts
    recs = []
    for interview in facts.ended:
        if facts.interviewers_of(interview):
            continue
        recs.append(
            make_recommendation(
                as_of=ctx.as_of,
                rule="record_interviewers",
                application_id=facts.app.id,
                interview_id=interview.id,
                title=(
                    f"Record who interviewed you at {company(ctx)} "
                    f"on {day_of(ctx, interview.starts_at)}"
                ),
                rationale=(
                    "Each interviewer deserves their own thank-you, and Followup can only remind "
                    "you about people it knows. Note their names while the conversation is fresh."
                ),
                due_at=interview.ends_at,
                completion=Completion(
                    kind="manual",
                    interview_id=interview.id,
                    hint="Add each person who interviewed you to this interview.",
                ),
            )
        )
    return recs


def _contact_requested_since(ctx: RuleContext, person: PersonIn, interview: InterviewIn) -> bool:
    """A request about this person, or about everyone (no interviewer), since they met."""
    return any(
        event.occurred_at >= interview.starts_at and event.interviewer_id in (None, person.id)
        for event in ctx.facts.of_type("contact_info_requested")
    )


def get_contact_info(ctx: RuleContext) -> list[Recommendation]:
    """One request per application, listing everyone whose email is missing.

    A single note to the recruiter asking for all of them is what a person would send, so a
    `contact_info_requested` event without an interviewer closes it for everyone.
    """
    facts = ctx.facts
    missing: dict[str, tuple[PersonIn, InterviewIn]] = {}
    for interview in facts.ended:  # by start, so each person keeps their first interview
        for person in facts.interviewers_of(interview):
            if person.email or person.id in missing:
                continue
            if not _contact_requested_since(ctx, person, interview):
                missing[person.id] = (person, interview)
    if not missing:
        return []
    people = sorted(
        (pair[0] for pair in missing.values()), key=lambda p: (person_words(ctx, p)[0], p.id)
    )
    first = min(missing.values(), key=lambda pair: (pair[1].ends_at, pair[1].id))[1]
    names = [person_words(ctx, person)[0] for person in people]
    single = people[0] if len(people) == 1 else None
    if single is not None:
        title = f"Ask for {names[0]}'s email address"
    else:
        title = f"Ask for your {company(ctx)} interviewers' email addresses"
    recruiter = clean(facts.app.recruiter_name)
    source = f"{recruiter} can" if recruiter else "The recruiter or your main contact can"
    rationale = (
        f"You'll want to email {join_names(names)} a thank-you within a day of the interview. "
        f"{source} usually share addresses, and asking shows you follow through."
    )
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="get_contact_info",
            application_id=facts.app.id,
            interview_id=first.id,
            interviewer_id=single.id if single is not None else None,
            situation=tuple(sorted(missing)),
            title=title,
            rationale=rationale,
            due_at=first.ends_at,
            channel="email",
            draft=render(
                "get_contact_info",
                base_context(ctx)
                | {"people": join_names(names), "day": day_of(ctx, first.starts_at)},
            ),
            completion=Completion(
                kind="event",
                event_type="contact_info_requested",
                interviewer_id=single.id if single is not None else None,
                interview_id=first.id,
                channel="email",
            ),
        )
    ]
