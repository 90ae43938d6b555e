"""Throwaway, migrated test databases on either backend.

PostgreSQL gets a fresh database per use (created and dropped here), so parallel runs
on one server never collide; SQLite gets a file in the given folder.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.core.db import create_engine
from app.core.migrations import upgrade_to_head

PG_URL = os.environ.get("FOLLOWUP_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _admin(base_url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextmanager
def migrated_database(backend: str, folder: Path, server: str | None = None) -> Iterator[str]:
    """The URL of a new database at the schema's head, removed afterwards (PostgreSQL).

    `server` is a PostgreSQL URL to create it on instead of FOLLOWUP_TEST_DATABASE_URL
    (the fault tests' private cluster).
    """
    with empty_database(backend, folder, server) as url:
        upgrade_to_head(url)
        yield url


@contextmanager
def empty_database(backend: str, folder: Path, server: str | None = None) -> Iterator[str]:
    """The URL of a new database with nothing in it, removed afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{secrets.token_hex(4)}.db'}"
        return
    server = server or PG_URL
    assert server is not None, "FOLLOWUP_TEST_DATABASE_URL is not set"
    name = f"followup_test_{secrets.token_hex(4)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"
