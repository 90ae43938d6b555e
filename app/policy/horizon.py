"""How long a result of `recommend` stays true as the clock moves on.

`recommend` reads `as_of` only by comparing it with instants taken from the data — an event
coming into view, an interview's 24-hour window opening, its start and end, an application's
first week, a step falling due (`overdue`) — and through the user's calendar day (drafts say
"tomorrow" or "Friday"). Between two such instants its result is the same, except for
`keep_applying`, whose due_at *is* as_of. So a caller may keep a result until `stable_until`,
as long as it re-dates `keep_applying` to each new as_of (`redate`).

Due times are read from the recommendations themselves, never recomputed here: an inquiry
or interest note moved off the user's weekend (timeutil.on_a_weekday) falls due, and so
wakes the cache and the scheduler, on the Monday morning it was moved to, not on the
Saturday it would have had.
"""

from __future__ import annotations

import dataclasses
from bisect import insort
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta

from app.policy.closure import PIPELINE_WINDOW
from app.policy.common import DAY
from app.policy.engine import BY_DUE_THEN_ID
from app.policy.inputs import ApplicationIn, UserIn
from app.policy.outputs import Recommendation
from app.policy.timeutil import local_date, require_aware, user_zone

# The one rule whose due_at moves with as_of.
MOVES_WITH_AS_OF = "keep_applying"
# Most conditions flip *at* an instant (as_of >= ends_at). Two flip just *after* one:
# `overdue` (as_of > due_at) and the pipeline week (newest >= as_of - 7 days); the first
# instant where those differ is one microsecond, datetime's resolution, later.
JUST_AFTER = timedelta(microseconds=1)


def _instants(
    applications: Sequence[ApplicationIn], recommendations: Iterable[Recommendation]
) -> Iterable[datetime]:
    for app in applications:
        yield app.created_at
        yield app.created_at + PIPELINE_WINDOW + JUST_AFTER
        if app.references_requested_at is not None:
            yield app.references_requested_at
        for interview in app.interviews:
            yield interview.starts_at - DAY
            yield interview.starts_at
            yield interview.ends_at
        for event in app.events:
            yield event.occurred_at
    for rec in recommendations:
        if rec.rule != MOVES_WITH_AS_OF:
            yield rec.due_at + JUST_AFTER


def next_local_midnight(timezone: str, as_of: datetime) -> datetime:
    """The start of the user's next calendar day, as a UTC instant."""
    zone = user_zone(timezone)
    tomorrow = local_date(as_of, zone) + timedelta(days=1)
    # On a day that starts with a DST jump, 00:00 doesn't exist; zoneinfo reads it with the
    # old offset, which is exactly the instant of the jump, i.e. when the new day starts.
    return datetime.combine(tomorrow, time(), tzinfo=zone).astimezone(UTC)


def stable_until(
    user: UserIn,
    applications: Sequence[ApplicationIn],
    as_of: datetime,
    recommendations: Iterable[Recommendation],
) -> datetime:
    """The first instant after `as_of` at which `recommend` may answer differently.

    `recommendations` is what `recommend(user, applications, references, as_of)` returned.
    For every t with as_of <= t < the result, `recommend` at t returns the same steps, except
    that keep_applying is due at t. The result is always later than as_of.
    """
    require_aware(as_of, "as_of")
    horizon = next_local_midnight(user.timezone, as_of)
    for moment in _instants(applications, recommendations):
        if as_of < moment < horizon:
            horizon = moment
    return horizon


def redate(recommendations: Sequence[Recommendation], as_of: datetime) -> list[Recommendation]:
    """A result of `recommend` as it reads at a later `as_of` before its horizon.

    Only keep_applying changes: it is due at as_of, so it also moves in the (due_at, id) order.
    """
    moved = [r for r in recommendations if r.rule == MOVES_WITH_AS_OF]
    if not moved:
        return list(recommendations)
    kept = [r for r in recommendations if r.rule != MOVES_WITH_AS_OF]
    due = as_of.astimezone(UTC)
    for rec in moved:
        insort(kept, dataclasses.replace(rec, due_at=due, overdue=False), key=BY_DUE_THEN_ID)
    return kept
