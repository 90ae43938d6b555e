"""attach_loaded: a row read without the ORM becomes the instance the ORM would load."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.loaded import attach_loaded, columns_of
from app.models import User
from tests.factories import UserWithToken

pytestmark = pytest.mark.anyio


async def _row(session: AsyncSession, user: User) -> tuple[object, ...]:
    return tuple((await session.execute(select(*columns_of(User)).where(User.id == user.id))).one())


async def _attached_afresh(session: AsyncSession, user: User) -> User:
    """`user` read as a row, then attached to a session that holds nothing."""
    row = await _row(session, user)
    session.expunge_all()
    return attach_loaded(session, User, row)


async def test_the_attached_instance_is_persistent_loaded_and_unchanged(
    session: AsyncSession, alice: UserWithToken
) -> None:
    user = await _attached_afresh(session, alice.user)
    state = inspect(user)
    assert state.persistent
    assert not state.modified
    assert not state.unloaded
    assert (user.id, user.email, user.name, user.timezone) == (
        alice.user.id,
        alice.user.email,
        alice.user.name,
        alice.user.timezone,
    )
    assert not session.dirty
    assert not session.new
    # Nothing is queried for it: the identity map answers, with this very instance.
    assert await session.get(User, alice.user.id) is user


async def test_a_change_to_it_is_written_like_any_loaded_object(
    session: AsyncSession, alice: UserWithToken
) -> None:
    user = await _attached_afresh(session, alice.user)
    user.name = "Renamed"
    assert list(session.dirty) == [user]
    await session.flush()
    session.expunge_all()
    assert (await session.get(User, alice.user.id)).name == "Renamed"  # type: ignore[union-attr]


async def test_the_session_s_own_instance_is_returned_if_it_holds_the_row(
    session: AsyncSession, alice: UserWithToken
) -> None:
    held = await session.get(User, alice.user.id)
    assert attach_loaded(session, User, await _row(session, alice.user)) is held
