"""Running the real service against the private cluster, and reading what it stored."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.core.db import create_engine
from tests.databases import migrated_database
from tests.faults.cluster import PrivateCluster
from tests.web.live_server import serving

PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Service:
    base_url: str
    database_url: str
    workdir: Path


@contextmanager
def fresh_database(cluster: PrivateCluster, workdir: Path) -> Iterator[str]:
    with migrated_database("postgresql", workdir, server=cluster.url) as url:
        yield url


@contextmanager
def running_service(database_url: str, workdir: Path, **settings: str) -> Iterator[Service]:
    """`followup serve` in a subprocess, as deployed (its own worker unless told not)."""
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": database_url,
        "FOLLOWUP_ENV": "development",
        "FOLLOWUP_RUN_WORKER": "false",
        **{f"FOLLOWUP_{name.upper()}": value for name, value in settings.items()},
    }
    with serving([sys.executable, "-m", "app.cli", "serve"], env, workdir) as base_url:
        yield Service(base_url, database_url, workdir)


def sign_up(base_url: str, email: str = "faults@example.com") -> dict[str, str]:
    """A new account on the running service; its bearer headers."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        r = client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "F"}
        )
        assert r.status_code == 201, r.text
        r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


def query(database_url: str, sql: str, **params: Any) -> list[Sequence[Any]]:
    """Rows straight from the database, not through the service."""

    async def run() -> list[Sequence[Any]]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return [tuple(row) for row in await conn.execute(text(sql), params)]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def missing_application_ids(database_url: str, ids: Sequence[str]) -> set[str]:
    stored = {str(row[0]) for row in query(database_url, "SELECT id FROM applications")}
    return {i for i in ids if str(uuid.UUID(i)) not in stored}


def report(fault: str, **numbers: int | float) -> None:
    """The numbers the README's Reliability section quotes: printed (`pytest -s`), and
    appended as a JSON line to $FOLLOWUP_FAULT_REPORT when set."""
    line = json.dumps({"fault": fault, **numbers})
    print(f"\nFAULT REPORT {line}")
    path = os.environ.get("FOLLOWUP_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
