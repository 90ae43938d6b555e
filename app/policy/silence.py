"""When the employer goes quiet: one polite nudge a week, at most two, then move on.

Definitions (docs/next-steps.md lists them with every rule): an application is *waiting* when
its status is applied/interviewing, it has an ended interview, nothing is still to come, and
no offer or rejection arrived after the last ended interview. The *silence clock* starts at
the later of that interview's end and the last reply; status inquiries at or after it are
*counted*. A reply restarts the clock, so it resets the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.policy.build import make_recommendation
from app.policy.common import DAY, WEEK, base_context, company, day_of, follow_up_channel
from app.policy.contacts import employer_addressee
from app.policy.drafts import render
from app.policy.facts import (
    ACTIVE_STATUSES,
    EMPLOYER_FACING_EVENTS,
    WAITING_STATUSES,
    ApplicationFacts,
    RuleContext,
)
from app.policy.ids import instant_key
from app.policy.inputs import EventIn, InterviewIn
from app.policy.outputs import Completion, Recommendation
from app.policy.text import clean, day_label
from app.policy.timeutil import morning_after, on_a_weekday

INQUIRY_LIMIT = 2
_ANSWERS = frozenset({"offer", "rejection"})

NotWaitingReason = Literal["status", "no_ended_interview", "interview_to_come", "answered"]


@dataclass(frozen=True, slots=True)
class Silence:
    last_ended: InterviewIn
    clock: datetime
    last_reply: EventIn | None
    # The reply restarted the clock (it came after the last ended interview).
    replied_since_interview: bool
    counted: tuple[EventIn, ...]  # status inquiries since the clock, oldest first


@dataclass(frozen=True, slots=True)
class NotWaiting:
    reason: NotWaitingReason
    detail: EventIn | InterviewIn | None = None


def silence_of(facts: ApplicationFacts) -> Silence | NotWaiting:
    if facts.status not in WAITING_STATUSES:
        return NotWaiting("status")
    last_ended = facts.last_ended
    if last_ended is None:
        return NotWaiting("no_ended_interview")
    if facts.has_interview_to_come:
        upcoming = next(iv for iv in facts.interviews if facts.as_of < iv.ends_at)
        return NotWaiting("interview_to_come", upcoming)
    replies = facts.of_type("reply_received")
    for reply in reversed(replies):
        if reply.occurred_at < last_ended.ends_at:
            break
        if reply.response in _ANSWERS:
            return NotWaiting("answered", reply)
    last_reply = replies[-1] if replies else None
    replied_since = last_reply is not None and last_reply.occurred_at >= last_ended.ends_at
    clock = last_reply.occurred_at if last_reply and replied_since else last_ended.ends_at
    counted = tuple(e for e in facts.of_type("status_inquiry") if e.occurred_at >= clock)
    return Silence(last_ended, clock, last_reply, replied_since, counted)


def promised_morning(ctx: RuleContext, silence: Silence) -> datetime | None:
    """09:00 user-local the day after `expected_response_by`, while that promise still stands.

    It stands until they reply after the last interview. A promised date that had already
    passed when the last interview ended is a stale promise from an earlier round: it is
    ignored, and the first inquiry waits for a silent week instead of nagging at once.
    """
    promised = ctx.facts.app.expected_response_by
    if promised is None or silence.replied_since_interview:
        return None
    morning = morning_after(promised, ctx.zone)
    return morning if morning >= silence.last_ended.ends_at else None


def first_inquiry_due(ctx: RuleContext, silence: Silence) -> datetime:
    return promised_morning(ctx, silence) or silence.clock + WEEK


def earliest_inquiry(ctx: RuleContext, silence: Silence) -> datetime | None:
    """When the next inquiry stops being too soon; None once two have gone unanswered.

    The second one's week counts from when the first was actually sent, whatever day that was.
    """
    if len(silence.counted) >= INQUIRY_LIMIT:
        return None
    if not silence.counted:
        return first_inquiry_due(ctx, silence)
    return silence.counted[0].occurred_at + WEEK


def status_inquiry(ctx: RuleContext, silence: Silence) -> list[Recommendation]:
    earliest = earliest_inquiry(ctx, silence)
    if earliest is None:
        return []
    # Moved off the user's weekend. One sent on a Saturday isn't too soon (the warnings go by
    # `earliest`), but it isn't what we advise either.
    due = on_a_weekday(earliest, ctx.zone)
    app = ctx.facts.app
    ordinal = len(silence.counted) + 1
    channel = follow_up_channel(ctx)
    said = clean(app.follow_up_channel)
    how = f" They said the best way to follow up is: {said}." if said else ""
    if ordinal == 1:
        title = f"Follow up with {company(ctx)} on your application"
        if promised_morning(ctx, silence) is not None and app.expected_response_by is not None:
            by = day_label(app.expected_response_by, ctx.today)
            when = "the next morning" if due == earliest else "on the next working morning"
            why = f"They said you'd hear back by {by}; one polite nudge {when} is right."
        else:
            why = "A silent week is when one polite nudge is right: it shows you're still keen."
    else:
        title = f"Follow up with {company(ctx)} a second time"
        why = (
            "Your first follow-up has had no answer for a week. One more short, friendly note "
            "is fine; after that it's time to focus elsewhere."
        )
    draft = render(
        "status_inquiry",
        base_context(ctx)
        | {
            "second": ordinal == 2,
            "with_subject": channel == "email",
            "greeting": employer_addressee(ctx.facts).greeting,
            "role": clean(app.role_title),
            "last_contact": day_of(ctx, silence.clock),
            "first_inquiry": day_of(ctx, silence.counted[0].occurred_at) if ordinal == 2 else None,
        },
    )
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="send_status_inquiry",
            application_id=app.id,
            interview_id=silence.last_ended.id,
            # Ordinal plus clock: the 2nd inquiry, or a 1st after a reply, is a new situation.
            situation=(str(ordinal), instant_key(silence.clock)),
            title=title,
            rationale=why + how,
            due_at=due,
            channel=channel,
            draft=draft,
            completion=Completion(
                kind="event",
                event_type="status_inquiry",
                interview_id=silence.last_ended.id,
                channel=channel,
            ),
        )
    ]


def move_on(ctx: RuleContext, silence: Silence) -> list[Recommendation]:
    if len(silence.counted) < INQUIRY_LIMIT:
        return []
    second = silence.counted[INQUIRY_LIMIT - 1]
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="move_on",
            application_id=ctx.facts.app.id,
            interview_id=silence.last_ended.id,
            situation=(second.id,),
            title=f"Move on from {company(ctx)}",
            rationale=(
                "You've followed up twice without an answer. After two unanswered follow-ups "
                "it's time to focus your energy elsewhere; if they come back, great."
            ),
            due_at=second.occurred_at + WEEK,
            completion=Completion(kind="status", status="closed"),
        )
    ]


def silence_rules(ctx: RuleContext, silence: Silence | NotWaiting) -> list[Recommendation]:
    if isinstance(silence, NotWaiting):
        return []
    return status_inquiry(ctx, silence) + move_on(ctx, silence)


def reply_graciously(ctx: RuleContext) -> list[Recommendation]:
    """After a noncommittal reply, thank them for the update before anything else.

    Completed by a `thank_you_email` to no particular interviewer: it is what the draft is
    (thanks for the update, by email) and, being something sent to the employer, it answers
    their reply, without counting as a status inquiry or an interview thank-you.
    """
    facts = ctx.facts
    if facts.status not in ACTIVE_STATUSES:
        return []
    replies = facts.of_type("reply_received")
    if not replies or replies[-1].response != "noncommittal":
        return []
    reply = replies[-1]
    for event in reversed(facts.events):
        if event.occurred_at < reply.occurred_at:
            break
        if event.type in EMPLOYER_FACING_EVENTS:
            return []
    # To the main contact, like every message about where the application stands.
    to = employer_addressee(facts)
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="reply_graciously",
            application_id=facts.app.id,
            interviewer_id=to.person.id if to.person else None,
            situation=(reply.id,),
            title=f"Thank {company(ctx)} for the update",
            rationale=(
                "Their answer was noncommittal, which usually means they're still deciding. A "
                "patient, gracious reply keeps the door open and leaves a good last impression."
            ),
            due_at=reply.occurred_at + DAY,
            channel="email",
            draft=render(
                "reply_graciously",
                base_context(ctx) | {"greeting": to.greeting},
            ),
            completion=Completion(kind="event", event_type="thank_you_email", channel="email"),
        )
    ]
