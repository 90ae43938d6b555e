"""Why a status inquiry the user just logged goes against the advice: too soon, or a third.

The inquiry is recorded anyway; these sentences travel back in the event's `warnings`, so they
speak to the user directly and name the dates that matter.
"""

from __future__ import annotations

from datetime import datetime

from app.policy.common import company, day_of, rule_context
from app.policy.facts import RuleContext, build_facts
from app.policy.inputs import ApplicationIn, EventIn, InterviewIn, UserIn
from app.policy.silence import (
    INQUIRY_LIMIT,
    NotWaiting,
    Silence,
    earliest_inquiry,
    promised_morning,
    silence_of,
)
from app.policy.text import day_label, elapsed_label
from app.policy.timeutil import require_aware, user_zone

_NORM = "one polite follow-up after a week of silence is the norm"
_CLOSED_STATUS_MESSAGES = {
    "offer": "You already have an offer from {company}, so there's no decision to chase; "
    "reply about the offer itself instead.",
    "accepted": "You've already accepted {company}'s offer, so there's nothing to chase.",
    "rejected": "{company} has already turned this application down, so a status inquiry "
    "won't change anything.",
    "withdrawn": "You withdrew from {company}, so there's nothing to follow up on.",
    "closed": "This application is closed; reopen it first if you want to pursue {company} again.",
}


def status_inquiry_warnings(
    user: UserIn, application: ApplicationIn, occurred_at: datetime
) -> list[str]:
    """Warnings for recording a `status_inquiry` at `occurred_at`.

    `application.events` must not include the new inquiry. Empty when the inquiry is
    what the policy would advise at that moment.
    """
    require_aware(occurred_at, "occurred_at")
    facts = build_facts(application, occurred_at)
    ctx = rule_context(user, user_zone(user.timezone), occurred_at, facts, {})
    state = silence_of(facts)
    if isinstance(state, NotWaiting):
        return [_not_waiting_message(ctx, state)]
    if len(state.counted) >= INQUIRY_LIMIT:
        return [
            f"You've already followed up twice since {day_of(ctx, state.clock)} without a reply; "
            "a third follow-up rarely helps, and it's time to focus on other opportunities."
        ]
    due = earliest_inquiry(ctx, state)
    if due is not None and occurred_at < due:
        return [_too_soon_message(ctx, state)]
    return []


def _since(ctx: RuleContext, moment: datetime, what: str) -> str:
    """How long ago `what` was: "It's only been 3 days since your interview on 2 March"."""
    span = ctx.as_of - moment
    if span.days < 1:
        return f"{what[0].upper()}{what[1:]} on {day_of(ctx, moment)} was less than a day ago"
    return f"It's only been {elapsed_label(span)} since {what} on {day_of(ctx, moment)}"


def _too_soon_message(ctx: RuleContext, state: Silence) -> str:
    promised = ctx.facts.app.expected_response_by
    if state.counted:
        first = state.counted[0].occurred_at
        return (
            f"{_since(ctx, first, 'your last follow-up')}; give them a full week before following "
            "up again."
        )
    if promised is not None and promised_morning(ctx, state) is not None:
        promised_day = day_label(promised, ctx.today)
        return (
            f"They said you'd hear back by {promised_day}; wait until the morning after that "
            "before following up."
        )
    if state.replied_since_interview and state.last_reply is not None:
        return f"{_since(ctx, state.last_reply.occurred_at, 'their last reply')}; {_NORM}."
    return f"{_since(ctx, state.last_ended.ends_at, 'your interview')}; {_NORM}."


def _not_waiting_message(ctx: RuleContext, state: NotWaiting) -> str:
    name = company(ctx)
    if state.reason == "status":
        template = _CLOSED_STATUS_MESSAGES.get(
            ctx.facts.status, "This application isn't waiting on {company}'s decision."
        )
        return template.format(company=name)
    if state.reason == "answered" and isinstance(state.detail, EventIn):
        answer = "an offer" if state.detail.response == "offer" else "a decision"
        return (
            f"{name} already came back with {answer} on {day_of(ctx, state.detail.occurred_at)}, "
            "so there's no pending decision to ask about."
        )
    upcoming = state.detail if isinstance(state.detail, InterviewIn) else None
    if upcoming is None:
        upcoming = next((iv for iv in ctx.facts.interviews if ctx.as_of < iv.ends_at), None)
    if upcoming is not None:
        return (
            f"Your interview with {name} on {day_of(ctx, upcoming.starts_at)} is still to come; "
            "ask about next steps there rather than sending a status inquiry."
        )
    return (
        f"You haven't had an interview with {name} yet, so it's too soon to ask for an update; "
        f"{_NORM}."
    )
