"""stable_until: a result of recommend() holds, keep_applying re-dated, until the horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.policy import Recommendation, UserIn, recommend
from app.policy.horizon import next_local_midnight, redate, stable_until

from .builders import T0, application, interview, person
from .strategies import POLICY_SETTINGS, World, worlds

MICROSECOND = timedelta(microseconds=1)


def _at(world: World, moment: datetime) -> list[Recommendation]:
    return recommend(world.user, world.applications, world.references, moment)


def _horizon(world: World) -> tuple[list[Recommendation], datetime]:
    recs = _at(world, world.as_of)
    return recs, stable_until(world.user, world.applications, world.as_of, recs)


@POLICY_SETTINGS
@given(worlds(), st.floats(0, 1, exclude_max=True))
def test_result_holds_until_the_horizon(world: World, fraction: float) -> None:
    recs, horizon = _horizon(world)
    assert horizon > world.as_of
    span = horizon - world.as_of
    for later in (world.as_of + span * fraction, horizon - MICROSECOND):
        assert _at(world, later) == redate(recs, later)


@POLICY_SETTINGS
@given(worlds(), st.integers(0, 24 * 20))
def test_walking_the_clock_from_horizon_to_horizon(world: World, hours_back: int) -> None:
    """Every segment between successive horizons holds, across interviews, replies, due times."""
    moment = world.as_of - timedelta(hours=hours_back)
    for _ in range(25):
        recs = _at(world, moment)
        horizon = stable_until(world.user, world.applications, moment, recs)
        last = horizon - MICROSECOND
        assert _at(world, last) == redate(recs, last), (moment, horizon)
        moment = horizon


@POLICY_SETTINGS
@given(worlds())
def test_horizon_is_no_later_than_the_next_change(world: World) -> None:
    """Not a vacuous bound: the horizon is one of the instants where things can change."""
    recs, horizon = _horizon(world)
    midnight = next_local_midnight(world.user.timezone, world.as_of)
    assert horizon <= midnight
    assert horizon == midnight or horizon in {
        rec.due_at + MICROSECOND for rec in recs
    } | _data_instants(world)


def _data_instants(world: World) -> set[datetime]:
    found: set[datetime] = set()
    for app in world.applications:
        found |= {app.created_at, app.created_at + timedelta(days=7) + MICROSECOND}
        found |= {e.occurred_at for e in app.events}
        for iv in app.interviews:
            found |= {iv.starts_at - timedelta(days=1), iv.starts_at, iv.ends_at}
        if app.references_requested_at is not None:
            found.add(app.references_requested_at)
    return found


def test_an_interview_ending_is_a_horizon() -> None:
    """Before the end there is nothing to thank for; the cache must not outlive that."""
    talk = interview("i1", starts_at=T0, interviewers=("p1",))
    app = application("a1", interviews=(talk,), interviewers=(person("p1"),))
    user = UserIn(name="Sam", timezone="UTC")
    as_of = T0 + timedelta(minutes=30)
    before = recommend(user, [app], [], as_of)
    assert stable_until(user, [app], as_of, before) == talk.ends_at
    after = recommend(user, [app], [], talk.ends_at)
    assert "send_thank_you_email" in {r.rule for r in after} - {r.rule for r in before}


def test_the_users_midnight_is_a_horizon_across_a_dst_jump() -> None:
    # Berlin springs forward at 02:00 on 2025-03-30; the next day still starts at 00:00 local.
    as_of = datetime(2025, 3, 30, 12, tzinfo=UTC)
    assert next_local_midnight("Europe/Berlin", as_of) == datetime(2025, 3, 30, 22, tzinfo=UTC)
    # The day before the jump is 24 hours long in UTC terms too.
    as_of = datetime(2025, 3, 29, 12, tzinfo=UTC)
    assert next_local_midnight("Europe/Berlin", as_of) == datetime(2025, 3, 29, 23, tzinfo=UTC)


def test_redate_moves_only_keep_applying() -> None:
    user = UserIn(name="Sam", timezone="UTC")
    waiting = application(
        "a1",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        interviews=(interview("i1", starts_at=datetime(2025, 1, 2, 10, tzinfo=UTC)),),
        interviewers=(person("p1"),),
    )
    as_of = datetime(2025, 2, 1, 8, tzinfo=UTC)
    recs = recommend(user, [waiting], [], as_of)
    later = as_of + timedelta(hours=3)
    moved = redate(recs, later)
    assert [r.due_at for r in moved if r.rule == "keep_applying"] == [later]
    assert [r for r in moved if r.rule != "keep_applying"] == [
        r for r in recs if r.rule != "keep_applying"
    ]
