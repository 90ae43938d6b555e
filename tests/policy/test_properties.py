"""Invariants of recommend(), checked with hypothesis over generated worlds."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.policy import ApplicationIn, Recommendation, recommend
from app.policy.timeutil import on_a_weekday, user_zone

from .builders import complete
from .strategies import POLICY_SETTINGS, World, worlds


def _recommend(world: World) -> list[Recommendation]:
    return recommend(world.user, world.applications, world.references, world.as_of)


def _targets(rec: Recommendation) -> tuple[str, str | None, str | None, str | None, str | None]:
    return (rec.rule, rec.application_id, rec.interview_id, rec.interviewer_id, rec.reference_id)


@POLICY_SETTINGS
@given(worlds())
def test_same_input_same_output(world: World) -> None:
    assert _recommend(world) == _recommend(world)


@POLICY_SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(world: World, rnd: random.Random) -> None:
    def shuffled(items: tuple[object, ...] | list[object]) -> list[object]:
        out = list(items)
        rnd.shuffle(out)
        return out

    apps: list[ApplicationIn] = []
    for app in world.applications:
        interviews = tuple(
            dataclasses.replace(iv, interviewer_ids=tuple(shuffled(iv.interviewer_ids)))
            for iv in app.interviews
        )
        apps.append(
            dataclasses.replace(
                app,
                interviews=tuple(shuffled(interviews)),  # type: ignore[arg-type]
                interviewers=tuple(shuffled(app.interviewers)),  # type: ignore[arg-type]
                events=tuple(shuffled(app.events)),  # type: ignore[arg-type]
                reference_ids=tuple(shuffled(app.reference_ids)),  # type: ignore[arg-type]
            )
        )
    reordered = World(
        world.user,
        shuffled(apps),  # type: ignore[arg-type]
        shuffled(world.references),  # type: ignore[arg-type]
        world.as_of,
    )
    assert _recommend(reordered) == _recommend(world)


@POLICY_SETTINGS
@given(worlds())
def test_ids_are_unique_and_the_list_is_sorted(world: World) -> None:
    recs = _recommend(world)
    assert len({rec.id for rec in recs}) == len(recs)
    assert [(r.due_at, r.id) for r in recs] == sorted((r.due_at, r.id) for r in recs)


@POLICY_SETTINGS
@given(worlds())
def test_nothing_is_due_before_the_interview_it_depends_on(world: World) -> None:
    starts = {iv.id: iv.starts_at for app in world.applications for iv in app.interviews}
    for rec in _recommend(world):
        if rec.interview_id is not None:
            assert rec.due_at >= starts[rec.interview_id], rec


@POLICY_SETTINGS
@given(worlds())
def test_completing_a_step_closes_it_without_reopening_the_same_step(world: World) -> None:
    """Each open step, completed on its own at as_of, is gone from the next run."""
    for rec in _recommend(world):
        apps, refs = complete(world.applications, world.references, rec, world.as_of)
        after = recommend(world.user, apps, refs, world.as_of)
        assert rec.id not in {r.id for r in after}
        for other in after:
            if _targets(other) != _targets(rec):
                continue
            # The one legitimate successor: the 2nd status inquiry, a week after the 1st (or
            # the Monday morning after, when that week ends on the user's weekend).
            assert rec.rule == "send_status_inquiry", (rec, other)
            zone = user_zone(world.user.timezone)
            assert other.due_at == on_a_weekday(world.as_of + timedelta(days=7), zone)


@POLICY_SETTINGS
@given(worlds())
def test_every_recommendation_is_explained_and_completable(world: World) -> None:
    for rec in _recommend(world):
        assert rec.title
        assert rec.rationale.endswith((".", "!"))
        assert rec.overdue == (world.as_of > rec.due_at)
        assert (rec.application_id is None) == (rec.rule == "keep_applying")
        if rec.completion.kind == "manual":
            assert rec.completion.hint
        elif rec.completion.kind == "event":
            assert rec.completion.event_type
        else:
            assert rec.completion.status in {"closed", "rejected", "withdrawn"}


@POLICY_SETTINGS
@given(worlds())
def test_no_nudge_to_an_employer_is_due_on_the_users_weekend(world: World) -> None:
    zone = user_zone(world.user.timezone)
    for rec in _recommend(world):
        if rec.rule in {"send_status_inquiry", "share_mutual_interest"}:
            assert rec.due_at.astimezone(zone).weekday() < 5, rec
