"""Thanking the people who interviewed you: email, handwritten note, LinkedIn."""

from __future__ import annotations

from app.policy.build import make_recommendation
from app.policy.common import DAY, base_context, company, day_of, person_words
from app.policy.contacts import arranger_of, is_recruiter
from app.policy.drafts import render, render_linkedin_note
from app.policy.facts import RuleContext
from app.policy.inputs import InterviewIn, PersonIn
from app.policy.outputs import Completion, Recommendation
from app.policy.text import clean, clean_phrase, truncate_words
from app.policy.thank_wording import email_sentence, note_sentence
from app.policy.timeutil import on_a_weekday

# Remote conversations are "spoken", on-site ones "met"; the thank-you should say which.
_REMOTE_KINDS = frozenset({"phone_screen", "video"})
HANDWRITTEN_DELAY = 2 * DAY
MUTUAL_INTEREST_DELAY = 3 * DAY


# Shared, never mutated: callers only merge them into new contexts with `|`.
_REMOTE_VERBS: dict[str, object] = {"verb": "speak", "verbing": "speaking"}
_IN_PERSON_VERBS: dict[str, object] = {"verb": "meet", "verbing": "meeting"}


def _verbs(interview: InterviewIn | None) -> dict[str, object]:
    remote = interview is not None and interview.kind in _REMOTE_KINDS
    return _REMOTE_VERBS if remote else _IN_PERSON_VERBS


_HANDWRITTEN_RATIONALE = (
    "A handwritten note stands out because few candidates send one. "
    "It arrives days later, so it adds to the thank-you email and never "
    "replaces it."
)


def _who(person: PersonIn, name: str) -> str:
    title = clean(person.title)
    return f"{name} ({title})" if title else name


def _interview_context(ctx: RuleContext, interview: InterviewIn, day: str) -> dict[str, object]:
    return ctx.base | _verbs(interview) | {"day": day}


def thank_you_steps(ctx: RuleContext) -> list[Recommendation]:
    """send_thank_you_email and send_handwritten_note, per (ended interview, interviewer).

    A handwritten note never counts as the email: they are tracked separately, each closed
    only by its own event type since the interview started.
    """
    facts = ctx.facts
    app = facts.app
    recs: list[Recommendation] = []
    for interview in facts.ended:
        people = facts.interviewers_of(interview)
        if not people:
            continue
        started = interview.starts_at
        day = day_of(ctx, started)
        shared: dict[str, object] | None = None
        topics = clean_phrase(interview.topics)
        arranger = arranger_of(app, people)
        # Everyone's words are fixed by their place in the room, not by who is still owed a
        # message, so a draft doesn't change when someone else's thank-you is logged.
        ranks = {p.id: rank for rank, p in enumerate(p for p in people if p is not arranger)}
        for person in people:
            emailed = facts.sent_to_person_since("thank_you_email", person.id, started)
            noted = facts.sent_to_person_since("handwritten_note", person.id, started)
            if emailed and noted:
                continue
            name, greeting = person_words(ctx, person)
            # Built once per interview and shared by everyone in it.
            shared = shared or _interview_context(ctx, interview, day)
            context = shared | {"greeting": greeting}
            rank = ranks.get(person.id)
            # The thread hint is for the recruiter alone: nobody else has a thread with the user.
            thread_hint = (
                f" Reply in {name}'s last email thread so the conversation stays together."
                if is_recruiter(app, person)
                else ""
            )
            if not emailed:
                recs.append(
                    make_recommendation(
                        as_of=ctx.as_of,
                        rule="send_thank_you_email",
                        application_id=app.id,
                        interview_id=interview.id,
                        interviewer_id=person.id,
                        title=f"Send a thank-you email to {name}",
                        rationale=(
                            f"{_who(person, name)} interviewed you on {day}. A thank-you within "
                            "24 hours shows gratitude and keeps you top of mind while they "
                            f"decide.{thread_hint}"
                        ),
                        due_at=interview.ends_at + DAY,
                        priority="high",
                        channel="email",
                        draft=render(
                            "thank_you_email",
                            context | {"appreciation": email_sentence(rank, topics)},
                        ),
                        completion=Completion(
                            kind="event",
                            event_type="thank_you_email",
                            interviewer_id=person.id,
                            interview_id=interview.id,
                            channel="email",
                        ),
                    )
                )
            if not noted:
                recs.append(
                    make_recommendation(
                        as_of=ctx.as_of,
                        rule="send_handwritten_note",
                        application_id=app.id,
                        interview_id=interview.id,
                        interviewer_id=person.id,
                        title=f"Send {name} a handwritten thank-you note",
                        rationale=_HANDWRITTEN_RATIONALE,
                        due_at=interview.ends_at + HANDWRITTEN_DELAY,
                        channel="handwritten",
                        draft=render(
                            "handwritten_note",
                            context | {"appreciation": note_sentence(rank, topics)},
                        ),
                        completion=Completion(
                            kind="event",
                            event_type="handwritten_note",
                            interviewer_id=person.id,
                            interview_id=interview.id,
                            channel="handwritten",
                        ),
                    )
                )
    return recs


def _interview_before(
    ctx: RuleContext, person: PersonIn, moment_key: tuple[str, str]
) -> InterviewIn | None:
    """The latest interview with this person that had started when they were first thanked."""
    thanked_at = ctx.facts.first_by_person[moment_key]
    met = [
        iv
        for iv in ctx.facts.interviews
        if person.id in iv.interviewer_ids and iv.starts_at <= thanked_at
    ]
    return met[-1] if met else None


def connect_on_linkedin(ctx: RuleContext) -> list[Recommendation]:
    facts = ctx.facts
    recs = []
    for person in sorted(facts.people.values(), key=lambda p: p.id):
        key = ("thank_you_email", person.id)
        if key not in facts.first_by_person:
            continue
        if ("linkedin_connection", person.id) in facts.first_by_person:
            continue
        interview = _interview_before(ctx, person, key)
        name, first_name = person_words(ctx, person)
        on_file = clean(person.linkedin_url) is not None
        title = (
            f"Connect with {name} on LinkedIn"
            if on_file
            else f"Find {name} on LinkedIn and connect"
        )
        where = "" if on_file else f" Search LinkedIn for {name} at {company(ctx)}."
        draft = render_linkedin_note(
            base_context(ctx)
            | _verbs(interview)
            | {
                "first_name": first_name,
                "day": day_of(ctx, interview.starts_at) if interview is not None else None,
                # Whoever arranged the day wasn't part of the technical talk: as in the email.
                "topics": None
                if interview is None
                or arranger_of(facts.app, facts.interviewers_of(interview)) is person
                else clean_phrase(interview.topics),
            }
        )
        recs.append(
            make_recommendation(
                as_of=ctx.as_of,
                rule="connect_on_linkedin",
                application_id=facts.app.id,
                interview_id=interview.id if interview is not None else None,
                interviewer_id=person.id,
                title=title,
                rationale=(
                    f"You've thanked {name} by email. Connecting on LinkedIn a day later keeps "
                    "you in their network whatever the outcome of this role." + where
                ),
                due_at=facts.first_by_person[key] + DAY,
                channel="linkedin",
                draft=draft,
                completion=Completion(
                    kind="event",
                    event_type="linkedin_connection",
                    interviewer_id=person.id,
                    channel="linkedin",
                ),
            )
        )
    return recs


def _messaged_since_start(ctx: RuleContext, interview: InterviewIn, people: list[PersonIn]) -> bool:
    facts = ctx.facts
    latest = facts.latest_message_by_interview.get(interview.id)
    if latest is not None and latest >= interview.starts_at:
        return True
    # A plain loop: any() over a generator cost more than the lookups it made.
    for person in people:
        if facts.sent_to_person_since("linkedin_message", person.id, interview.starts_at):
            return True
    return False


def share_mutual_interest(ctx: RuleContext) -> list[Recommendation]:
    facts = ctx.facts
    recs = []
    for interview in facts.ended:
        interest = clean_phrase(interview.mutual_interests)
        if interest is None:
            continue
        people = facts.interviewers_of(interview)
        if _messaged_since_start(ctx, interview, people):
            continue
        # Write to the hiring manager when they were in the room: they decide.
        recipient = next((p for p in people if p.is_main_contact), people[0] if people else None)
        short = truncate_words(interest, 60)
        greeting = None
        if recipient is not None:
            whom, greeting = person_words(ctx, recipient)
            title = f"Message {whom} on LinkedIn about {short}"
        else:
            title = f"Share your interest in {short} with {company(ctx)} on LinkedIn"
            whom = "your interviewer"
        recs.append(
            make_recommendation(
                as_of=ctx.as_of,
                rule="share_mutual_interest",
                application_id=facts.app.id,
                interview_id=interview.id,
                interviewer_id=recipient.id if recipient is not None else None,
                title=title,
                rationale=(
                    f"You and {whom} both care about {interest}. A short note on it a few days "
                    "after the interview keeps you memorable without asking for anything."
                ),
                # It's a social nudge too: not on the user's weekend.
                due_at=on_a_weekday(interview.starts_at + MUTUAL_INTEREST_DELAY, ctx.zone),
                channel="linkedin",
                draft=render(
                    "share_mutual_interest",
                    base_context(ctx)
                    | {
                        "greeting": greeting,
                        "mutual_interests": interest,
                        "day": day_of(ctx, interview.starts_at),
                    },
                ),
                completion=Completion(
                    kind="event",
                    event_type="linkedin_message",
                    interview_id=interview.id,
                    interviewer_id=recipient.id if recipient is not None else None,
                    channel="linkedin",
                ),
            )
        )
    return recs
