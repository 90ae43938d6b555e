"""The entry point: every open next step for one user, as of one instant."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter

from app.policy.closure import find_acceptance, keep_applying, withdraw_gracefully
from app.policy.common import rule_context
from app.policy.facts import ACTIVE_STATUSES, RuleContext, build_facts, effective_status
from app.policy.inputs import ApplicationIn, ReferenceIn, UserIn
from app.policy.interview_rules import ask_next_steps, get_contact_info, record_interviewers
from app.policy.outputs import Recommendation
from app.policy.references import brief_reference, list_references
from app.policy.silence import Silence, reply_graciously, silence_of, silence_rules
from app.policy.thanks import connect_on_linkedin, share_mutual_interest, thank_you_steps
from app.policy.timeutil import local_date, require_aware, user_zone

Rule = Callable[[RuleContext], list[Recommendation]]
# The order of every result; horizon.redate keeps it when it moves keep_applying.
BY_DUE_THEN_ID = attrgetter("due_at", "id")

# Rules evaluated per active application, besides the silence rules, which share one reading
# of the silence clock with keep_applying. Order is irrelevant: the result is sorted.
APPLICATION_RULES: tuple[Rule, ...] = (
    ask_next_steps,
    record_interviewers,
    get_contact_info,
    thank_you_steps,
    connect_on_linkedin,
    share_mutual_interest,
    list_references,
    brief_reference,
    reply_graciously,
)


def recommend(
    user: UserIn,
    applications: Sequence[ApplicationIn],
    references: Sequence[ReferenceIn],
    as_of: datetime,
) -> list[Recommendation]:
    """Every open next step, sorted by (due_at, id).

    Pure: the result depends only on the arguments. Events after `as_of` are ignored.
    Applications that are accepted, rejected, withdrawn or closed get no steps of their own.
    Once an offer is accepted, each other active application gets `withdraw_gracefully` and
    nothing else (thanking, nudging or briefing references for a job you will turn down wastes
    everyone's time), and `keep_applying` stops.
    """
    require_aware(as_of, "as_of")
    zone = user_zone(user.timezone)
    today = local_date(as_of, zone)
    refs = {ref.id: ref for ref in references}
    acceptance = find_acceptance(applications, as_of)
    recs: list[Recommendation] = []
    any_waiting = False
    for app in applications:
        # Most of an account's history is finished; skip indexing what no rule will read.
        status = effective_status(app, as_of)
        if status not in ACTIVE_STATUSES:
            continue
        facts = build_facts(app, as_of, status)
        ctx = rule_context(user, zone, as_of, facts, refs, today)
        if acceptance is not None:
            recs.extend(withdraw_gracefully(ctx, acceptance))
            continue
        silence = silence_of(facts)
        any_waiting = any_waiting or isinstance(silence, Silence)
        recs.extend(silence_rules(ctx, silence))
        for rule in APPLICATION_RULES:
            recs.extend(rule(ctx))
    recs.extend(keep_applying(applications, any_waiting, as_of))
    recs.sort(key=BY_DUE_THEN_ID)
    return recs
