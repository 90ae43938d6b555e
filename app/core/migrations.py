"""Run Alembic programmatically (used by `followup migrate`, `serve` and the tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from app.core.db import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The newest migration's revision, so `serve` can tell a database that is up to date
# without Alembic: importing it and reading its scripts took a sixth of the time from
# `followup serve` to the first healthy response (0.25 to 0.3 s of about 2 s), on
# every start, for a check that nearly always finds nothing to do.
# tests/test_migrations.py keeps it equal to Alembic's head.
HEAD_REVISION = "c90105060708"


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str | None = None) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


def ensure_up_to_date(database_url: str) -> None:
    """Migrate, unless the database is at `HEAD_REVISION` already (what `serve` runs)."""
    if asyncio.run(current_revision(database_url)) != HEAD_REVISION:
        upgrade_to_head(database_url)


async def current_revision(database_url: str) -> str | None:
    """The database's revision; None when it has none or can't be asked.

    Any failure means "ask Alembic": it creates the schema of a new database, and
    reports an unreachable one with its own error.
    """
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if found is None else str(found)
    except Exception:
        return None
    finally:
        await engine.dispose()
