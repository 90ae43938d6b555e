"""The migrations build exactly the schema the models describe, and `serve` migrates
only a database that needs it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from alembic import command
from app.core import migrations
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
