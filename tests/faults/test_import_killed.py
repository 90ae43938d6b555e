"""`followup import` killed with SIGKILL in the middle of writing: the account is as it
was (or, had it finished, fully imported), never half. The import is one transaction,
so PostgreSQL rolls the half back when the connection dies.

The kill is timed by watching PostgreSQL, not a clock: it lands once the import's
transaction has written rows (pg_stat_activity.backend_xid is set) and before it
commits. Then the same import, left alone, restores everything: proof that the
killed one left the account empty.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.core.db import create_engine
from app.core.migrations import PROJECT_ROOT
from app.portability.schemas import ExportDocument
from tests.faults.cluster import PrivateCluster
from tests.faults.helpers import fresh_database, query, report

APPLICATIONS = 300
EMAIL = "importer@example.com"
START_LIMIT_SECONDS = 30.0
WHEN = "2026-11-01T10:00:00Z"

# Rows an import of the document writes, table by table (each application has one
# interviewer, one interview and one event).
TABLES = ("applications", "interviewers", "interviews", "events")


def _application(n: int) -> dict[str, Any]:
    person, interview = str(uuid.uuid4()), str(uuid.uuid4())
    return {
        "id": str(uuid.uuid4()),
        "company": f"Company {n}",
        "role_title": "Engineer",
        "status": "interviewing",
        "source": "manual",
        "created_at": WHEN,
        "updated_at": WHEN,
        "interviewers": [
            {"id": person, "name": "Grace Hopper", "created_at": WHEN, "updated_at": WHEN}
        ],
        "interviews": [
            {
                "id": interview,
                "starts_at": "2026-11-02T10:00:00Z",
                "ends_at": "2026-11-02T11:00:00Z",
                "interviewer_ids": [person],
                "created_at": WHEN,
                "updated_at": WHEN,
            }
        ],
        "events": [
            {
                "id": str(uuid.uuid4()),
                "type": "thank_you_email",
                "occurred_at": "2026-11-02T15:00:00Z",
                "interviewer_id": person,
                "interview_id": interview,
                "created_at": WHEN,
            }
        ],
    }


def _document(path: Path) -> None:
    document = {
        "format": "followup.export",
        "format_version": 1,
        "exported_at": WHEN,
        "profile": {"email": EMAIL, "name": "Imported", "timezone": "UTC", "created_at": WHEN},
        "applications": [_application(n) for n in range(APPLICATIONS)],
    }
    ExportDocument.model_validate(document)  # a builder mistake fails here, not later
    path.write_text(json.dumps(document), encoding="utf-8")


def _counts(database_url: str) -> dict[str, int]:
    return {t: query(database_url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


async def _import_killed_mid_write(database_url: str, document: Path) -> bool:
    """Runs the import and SIGKILLs it once its transaction has written; True if the
    kill landed there (False: it finished first)."""
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "import",
        str(document),
        "--email",
        EMAIL,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    engine = create_engine(database_url)
    try:
        async with engine.connect() as watcher:
            writing = text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            async with asyncio.timeout(START_LIMIT_SECONDS):
                while process.returncode is None:
                    if await watcher.scalar(writing):
                        process.send_signal(signal.SIGKILL)
                        await process.wait()
                        return True
                    await watcher.rollback()  # a fresh snapshot of pg_stat_activity
                    await asyncio.sleep(0.005)
    finally:
        await engine.dispose()
        if process.returncode is None:
            process.kill()
        await process.wait()
    return False


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_killed_import_leaves_the_account_as_it_was(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    document = tmp_path / "export.json"
    _document(document)
    with fresh_database(cluster, tmp_path) as database_url:
        created = _cli(
            database_url,
            "create-user",
            "--email",
            EMAIL,
            "--name",
            "I",
            "--password",
            "a long enough password",
        )
        assert created.returncode == 0, created.stderr
        before = _counts(database_url)
        killed_mid_write = asyncio.run(_import_killed_mid_write(database_url, document))
        after_kill = _counts(database_url)
        assert killed_mid_write, "the import finished before it could be killed"
        assert after_kill == before  # nothing half-imported
        finished = _cli(database_url, "import", str(document), "--email", EMAIL)
        assert finished.returncode == 0, finished.stderr
        after_import = _counts(database_url)
    assert after_import == {t: APPLICATIONS for t in TABLES}
    report(
        "followup import SIGKILLed mid-transaction",
        applications_in_document=APPLICATIONS,
        rows_in_document=APPLICATIONS * len(TABLES),
        rows_left_by_the_killed_import=sum(after_kill.values()) - sum(before.values()),
        rows_after_the_import_rerun=sum(after_import.values()),
        half_imported_accounts=0 if after_kill == before else 1,
    )
