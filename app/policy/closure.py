"""Closing the loop: withdraw elsewhere once an offer is accepted, and keep the pipeline full."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.policy.build import make_recommendation
from app.policy.common import DAY, base_context, company
from app.policy.contacts import employer_addressee
from app.policy.drafts import render
from app.policy.facts import RuleContext
from app.policy.ids import instant_key
from app.policy.inputs import ApplicationIn
from app.policy.outputs import Completion, Recommendation
from app.policy.text import clean

PIPELINE_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Acceptance:
    application_id: str
    company: str
    accepted_at: datetime


def _accepted_at(app: ApplicationIn, as_of: datetime) -> datetime | None:
    """When the offer was accepted, as far as as_of can see.

    The accepted time is the status_changed event to `accepted`: when the user committed. If
    the only such events lie after as_of, the offer was not accepted yet at as_of. If there is
    none at all (the application was created already accepted, e.g. by an import), the best
    evidence we have is the application's created_at, and only once as_of has reached it.
    """
    seen = [e for e in app.events if e.type == "status_changed" and e.to_status == "accepted"]
    visible = [e.occurred_at for e in seen if e.occurred_at <= as_of]
    if visible:
        return max(visible)
    if seen:
        return None
    return app.created_at if app.created_at <= as_of else None


def find_acceptance(applications: Sequence[ApplicationIn], as_of: datetime) -> Acceptance | None:
    """The earliest accepted offer: withdrawals date from the moment the user committed."""
    found = []
    for app in applications:
        if app.status != "accepted":
            continue
        accepted_at = _accepted_at(app, as_of)
        if accepted_at is not None:
            found.append(Acceptance(app.id, app.company, accepted_at))
    return min(found, key=lambda a: (a.accepted_at, a.application_id)) if found else None


def withdraw_gracefully(ctx: RuleContext, acceptance: Acceptance) -> list[Recommendation]:
    facts = ctx.facts
    app = facts.app
    # The main contact: the person who has been steering the process for the employer.
    to = employer_addressee(facts)
    main = to.person
    accepted_with = clean(acceptance.company) or "another company"
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="withdraw_gracefully",
            application_id=app.id,
            interviewer_id=main.id if main is not None else None,
            situation=(acceptance.application_id,),
            title=f"Withdraw from {company(ctx)}",
            rationale=(
                f"You've accepted an offer from {accepted_with}. Withdrawing promptly and "
                "graciously frees their time and keeps the door open for the future."
            ),
            due_at=acceptance.accepted_at + DAY,
            priority="high",
            channel="email",
            draft=render("withdraw_gracefully", base_context(ctx) | {"greeting": to.greeting}),
            completion=Completion(
                kind="event",
                event_type="withdrawal",
                interviewer_id=main.id if main is not None else None,
                channel="email",
            ),
        )
    ]


def keep_applying(
    applications: Sequence[ApplicationIn], any_waiting: bool, as_of: datetime
) -> list[Recommendation]:
    """One global nudge while an application is waiting and nothing new went out for a week.

    Its id hashes the newest application's creation time: the situation only changes when a
    new application arrives, so the id is stable as as_of advances.
    """
    if not any_waiting:
        return []
    created = [app.created_at for app in applications if app.created_at <= as_of]
    newest = max(created) if created else None
    if newest is not None and newest >= as_of - PIPELINE_WINDOW:
        return []
    return [
        make_recommendation(
            as_of=as_of,
            rule="keep_applying",
            application_id=None,
            situation=(instant_key(newest) if newest is not None else "",),
            title="Apply for a new role",
            rationale=(
                "You're waiting to hear back and haven't applied anywhere new in a week. Keeping "
                "other applications going takes the pressure off any single answer."
            ),
            due_at=as_of,
            priority="low",
            completion=Completion(
                kind="manual", hint="Add a new application once you've applied somewhere."
            ),
        )
    ]
