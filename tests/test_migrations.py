"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic import command
from app.core.migrations import alembic_config


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    # `alembic check` raises when autogenerate would emit any operation.
    command.check(alembic_config(database_url))
