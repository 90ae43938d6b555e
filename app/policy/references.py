"""References: know whom you gave the employer, and warn them before the call comes."""

from __future__ import annotations

from app.policy.build import make_recommendation
from app.policy.common import DAY, base_context, company, day_of
from app.policy.drafts import render
from app.policy.facts import RuleContext
from app.policy.inputs import ReferenceIn
from app.policy.outputs import Completion, Recommendation
from app.policy.text import clean, greeting_name


def _listed_references(ctx: RuleContext) -> list[ReferenceIn]:
    """References given to this employer that we know about, once each, in a stable order."""
    known = {
        rid: ctx.references[rid] for rid in ctx.facts.app.reference_ids if rid in ctx.references
    }
    return sorted(known.values(), key=lambda ref: ref.id)


def list_references(ctx: RuleContext) -> list[Recommendation]:
    app = ctx.facts.app
    requested = app.references_requested_at
    if requested is None or _listed_references(ctx):
        return []
    return [
        make_recommendation(
            as_of=ctx.as_of,
            rule="list_references",
            application_id=app.id,
            title=f"List the references you gave {company(ctx)}",
            rationale=(
                f"{company(ctx)} asked for your references. Noting whom you named lets Followup "
                "remind you to brief each of them, so nobody is caught off guard."
            ),
            due_at=requested,
            completion=Completion(
                kind="manual",
                hint="Add the references you gave this employer to the application.",
            ),
        )
    ]


def brief_reference(ctx: RuleContext) -> list[Recommendation]:
    facts = ctx.facts
    app = facts.app
    requested = app.references_requested_at
    if requested is None:
        return []
    recs = []
    for ref in _listed_references(ctx):
        if ref.id in facts.latest_heads_up_by_reference:
            continue
        name = clean(ref.name) or "your reference"
        channel = "email" if clean(ref.email) else "phone"
        # Without an email address it's a phone call: what to say, not a letter to send.
        template = "brief_reference" if channel == "email" else "brief_reference_call"
        recs.append(
            make_recommendation(
                as_of=ctx.as_of,
                rule="brief_reference",
                application_id=app.id,
                reference_id=ref.id,
                title=f"Give {name} a heads-up about {company(ctx)}",
                rationale=(
                    f"{company(ctx)} asked for your references, so they may call any day now, "
                    "and references should never be caught off guard. A quick briefing on the "
                    "role and what to highlight lets them vouch for you with confidence."
                ),
                due_at=requested + DAY,
                priority="high",
                channel=channel,
                draft=render(
                    template,
                    base_context(ctx)
                    | {
                        "greeting": greeting_name(ref.name),
                        "recruiter": clean(app.recruiter_name),
                        # When they asked, which is all we know: the call itself can come any
                        # day after, so the draft never names a day for it.
                        "asked": day_of(ctx, requested) if requested <= ctx.as_of else None,
                        "interviewed": bool(facts.ended),
                    },
                ),
                completion=Completion(
                    kind="event",
                    event_type="reference_heads_up",
                    reference_id=ref.id,
                    channel=channel,
                ),
            )
        )
    return recs
