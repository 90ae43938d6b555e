"""insert_where and insert_values (app/core/loaded.py), run by DriverWrite
(app/core/driver.py): one INSERT that writes its row only while a condition holds.

Here on the tests' sessions (a rolled-back transaction), on both databases; what it
does outside a transaction is tests/api/test_create_alone.py's, and a connection
dying under it tests/faults/test_driver_disconnect.py's.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, exists, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.driver import DriverWrite
from app.core.loaded import attach_loaded, columns_of, insert_values, insert_where
from app.models import Application, User
from tests.factories import UserWithToken
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio

# A row per owner and company: written unless the owner has one for that company.
ONE_PER_COMPANY = DriverWrite(
    insert_where(
        Application,
        ~exists().where(
            Application.owner_id == bindparam("owner_id"),
            Application.company == bindparam("company"),
        ),
    )
)


def _values(owner: User, company: str = "Acme", **more: object) -> dict[str, object]:
    given = {"owner_id": owner.id, "company": company, "role_title": "Engineer", **more}
    return insert_values(Application, given)


async def test_insert_values_are_the_given_ones_then_the_model_s_defaults() -> None:
    before = datetime.now(UTC)
    first = insert_values(Application, {"company": "Acme", "status": "offer"})
    second = insert_values(Application, {"company": "Acme"})
    assert set(first) == {column.key for column in columns_of(Application)}
    assert (first["company"], first["status"], second["status"]) == ("Acme", "offer", "applied")
    assert (first["source"], first["version"], first["notes"]) == ("manual", 1, None)
    assert isinstance(first["id"], uuid.UUID)
    assert first["id"] != second["id"]  # made afresh for each row
    created = first["created_at"]
    assert isinstance(created, datetime)
    assert before <= created <= datetime.now(UTC)


async def test_a_table_with_a_server_default_is_refused() -> None:
    # users.data_version is filled by the server; naming it would override that.
    with pytest.raises(ValueError, match="data_version"):
        insert_where(User, true())


async def test_the_row_is_written_and_returned_only_while_the_condition_holds(
    session: AsyncSession, alice: UserWithToken
) -> None:
    values = _values(alice.user, notes="first")
    [row] = await ONE_PER_COMPANY.fetch(session, values)
    application = attach_loaded(session, Application, row)
    assert (application.id, application.company, application.notes) == (
        values["id"],
        "Acme",
        "first",
    )
    assert application.created_at == values["created_at"]

    assert list(await ONE_PER_COMPANY.fetch(session, _values(alice.user, notes="second"))) == []
    [other] = await ONE_PER_COMPANY.fetch(session, _values(alice.user, company="Initech"))
    assert other[columns_of(Application).index(Application.__table__.c.company)] == "Initech"

    session.expunge_all()
    mine = select(Application.notes).where(Application.owner_id == alice.user.id)
    stored = (await session.scalars(mine.order_by(Application.company))).all()
    assert stored == ["first", None]


async def test_it_is_one_statement_shown_to_the_statement_listeners(
    session: AsyncSession, engine: AsyncEngine, alice: UserWithToken
) -> None:
    await session.connection()  # the session's connection (and savepoint) first
    with count_queries(engine) as statements:
        await ONE_PER_COMPANY.fetch(session, _values(alice.user))
    assert len(statements) == 1
    assert statements[0].startswith("INSERT INTO applications")


async def test_an_integrity_violation_is_sqlalchemy_s_integrity_error(
    session: AsyncSession, alice: UserWithToken
) -> None:
    alice_id, nobody = alice.user.id, User(id=uuid.uuid4())
    with pytest.raises(IntegrityError):
        await ONE_PER_COMPANY.fetch(session, _values(nobody))  # no such owner
    await session.rollback()
    # The session and its connection go on as after any refused statement.
    in_three_days = (datetime.now(UTC) + timedelta(days=3)).date()
    later = _values(User(id=alice_id), expected_response_by=in_three_days)
    assert len(await ONE_PER_COMPANY.fetch(session, later)) == 1
