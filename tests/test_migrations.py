"""The migrations build exactly the schema the models describe, and `serve` migrates
only a database that needs it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from alembic import command
from app.core import migrations
from app.core.config import get_settings
from app.core.db import create_engine
from app.core.encryption import Keyring
from app.core.migrations import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    ensure_up_to_date,
)
from tests.databases import backend_of, empty_database


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    # `alembic check` raises when autogenerate would emit any operation.
    command.check(alembic_config(database_url))


def test_head_revision_is_alembic_s_head() -> None:
    # A new migration must update HEAD_REVISION, or `serve` would skip it.
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_serve_migrates_a_new_database_and_leaves_a_current_one_to_itself(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with empty_database(backend_of(database_url), tmp_path) as url:
        assert asyncio.run(current_revision(url)) is None  # no alembic_version table yet
        ensure_up_to_date(url)
        assert asyncio.run(current_revision(url)) == HEAD_REVISION

        def must_not_run(_: str | None = None) -> None:
            raise AssertionError("Alembic ran for a database already at its head")

        monkeypatch.setattr(migrations, "upgrade_to_head", must_not_run)
        ensure_up_to_date(url)


def test_an_unreachable_database_is_left_to_alembic_to_report() -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert asyncio.run(current_revision(url)) is None
    with pytest.raises(ConnectionRefusedError):  # Alembic's own attempt, reported as is
        ensure_up_to_date(url)


BEFORE_ENCRYPTION = "f60102030405"
PLAIN_SECRET = "whsec_c2VjcmV0IGtleSBmb3IgdGhlIG1pZ3JhdGlvbiB0ZXN0IQ=="
SECRET_TABLES = ("webhook_subscriptions", "integrations")


# The column types a plain value is written with, without the models' (which encrypt).
PLAIN_TYPES: dict[type, sa.types.TypeEngine[Any]] = {
    uuid.UUID: sa.Uuid(),
    datetime: sa.DateTime(timezone=True),
    bool: sa.Boolean(),
    int: sa.Integer(),
    list: sa.JSON(),
    str: sa.String(),
}


@asynccontextmanager
async def _connected(url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


async def _insert_plain_secrets(url: str) -> None:
    """Rows as the schema before encryption had them: the secrets in the clear."""
    now, user_id = datetime.now(UTC), uuid.uuid4()
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "users",
            {
                "email": "m@example.com",
                "password_hash": "x",
                "name": "M",
                "timezone": "UTC",
                "updated_at": now,
                "id": user_id,
            },
        ),
        (
            "webhook_subscriptions",
            {
                "url": "https://example.com/h",
                "events": ["*"],
                "enabled": True,
                "version": 1,
                "updated_at": now,
            },
        ),
        ("integrations", {"name": "ats"}),
    ]
    async with _connected(url) as conn:
        for table_name, values in rows:
            if table_name != "users":
                values |= {"id": uuid.uuid4(), "owner_id": user_id, "secret": PLAIN_SECRET}
            values["created_at"] = now
            columns = (sa.column(name, PLAIN_TYPES[type(v)]) for name, v in values.items())
            await conn.execute(sa.insert(sa.table(table_name, *columns)).values(**values))


async def _stored_secrets(url: str) -> list[str]:
    found: list[str] = []
    async with _connected(url) as conn:
        for table_name in SECRET_TABLES:
            table = sa.table(table_name, sa.column("secret", sa.String()))
            found += (await conn.scalars(sa.select(table.c.secret))).all()
    return found


def test_the_secrets_migration_encrypts_stored_secrets_and_its_downgrade_decrypts_them(
    database_url: str, tmp_path: Path
) -> None:
    with empty_database(backend_of(database_url), tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, BEFORE_ENCRYPTION)
        asyncio.run(_insert_plain_secrets(url))
        command.upgrade(config, "head")
        stored = asyncio.run(_stored_secrets(url))
        assert len(stored) == 2
        assert PLAIN_SECRET not in stored
        keyring = Keyring.from_settings(get_settings())  # the keys the migration read
        assert [keyring.decrypt(token) for token in stored] == [PLAIN_SECRET] * 2
        command.downgrade(config, BEFORE_ENCRYPTION)
        assert asyncio.run(_stored_secrets(url)) == [PLAIN_SECRET] * 2


BEFORE_MAIN_CONTACT = "b80104050607"


async def _insert_rows(url: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    now = datetime.now(UTC)
    async with _connected(url) as conn:
        for table_name, values in rows:
            values = {"created_at": now, "updated_at": now} | values
            columns = (sa.column(name, PLAIN_TYPES[type(v)]) for name, v in values.items())
            await conn.execute(sa.insert(sa.table(table_name, *columns)).values(**values))


async def _people(url: str) -> dict[str, tuple[bool, int]]:
    table = sa.table(
        "interviewers",
        sa.column("name", sa.String()),
        sa.column("is_main_contact", sa.Boolean()),
        sa.column("version", sa.Integer()),
    )
    async with _connected(url) as conn:
        rows = (await conn.execute(sa.select(table))).all()
    return {name: (bool(main), version) for name, main, version in rows}


def test_the_main_contact_migration_marks_the_person_who_is_the_recruiter(
    database_url: str, tmp_path: Path
) -> None:
    user_id, paired, unpaired = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    user = {"id": user_id, "email": "m@example.com", "password_hash": "x", "name": "M"}
    application = {"owner_id": user_id, "role_title": "Engineer", "status": "interviewing"}
    application |= {"source": "manual", "version": 1}

    def person(name: str, application_id: uuid.UUID, email: str, main: bool) -> dict[str, Any]:
        return {"id": uuid.uuid4(), "owner_id": user_id, "application_id": application_id} | {
            "name": name,
            "email": email,
            "is_main_contact": main,
            "version": 1,
        }

    rows: list[tuple[str, dict[str, Any]]] = [
        ("users", user | {"timezone": "UTC"}),
        ("applications", application | {"id": paired, "company": "Acme"}),
        ("applications", application | {"id": unpaired, "company": "Globex"}),
        ("interviewers", person("Jane", paired, "jane@example.com", False)),
        ("interviewers", person("Tom", paired, "tom@example.com", True)),
        ("interviewers", person("Omar", unpaired, "omar@example.com", True)),
    ]
    # The recruiters as typed on the applications: Acme's in other case, Globex's nobody's.
    rows[1][1]["recruiter_email"] = "Jane@Example.COM"
    rows[2][1]["recruiter_email"] = "zoe@example.com"
    with empty_database(backend_of(database_url), tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, BEFORE_MAIN_CONTACT)
        asyncio.run(_insert_rows(url, rows))
        command.upgrade(config, "head")
        assert asyncio.run(_people(url)) == {
            "Jane": (True, 2),
            "Tom": (False, 2),  # one main contact per application: the recruiter
            "Omar": (True, 1),  # no pair at Globex: left as it was
        }
