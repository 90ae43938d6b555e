"""One Idempotency-Key, one change, whatever dies where: the server process is killed
(SIGKILL) before the commit, between the commit and the response, and after the
response; a retry with the same key then leaves exactly one change. On the private
PostgreSQL cluster, with real server processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from tests.faults.cluster import PrivateCluster
from tests.faults.helpers import fresh_database, query, running_service, sign_up
from tests.web.live_server import serving

BODY = {"company": "Crash Co", "role_title": "Engineer"}


@pytest.mark.parametrize("point", ["before_commit", "after_commit", "after_response"])
def test_a_retry_after_the_process_died_makes_the_change_once(
    cluster: PrivateCluster, tmp_path: Path, point: str
) -> None:
    with fresh_database(cluster, tmp_path) as database_url:
        with running_service(database_url, tmp_path) as service:
            headers = sign_up(service.base_url)
        env = {
            **os.environ,
            "FOLLOWUP_DATABASE_URL": database_url,
            "FOLLOWUP_RUN_WORKER": "false",
            "CRASH_AT": point,
        }
        command = [sys.executable, "-m", "uvicorn", "tests.faults.crashing_app:app"]
        request_headers = {**headers, "Idempotency-Key": f"crash-{point}"}
        with serving(command, env, tmp_path) as base_url:
            try:
                first = httpx.post(
                    f"{base_url}/api/v1/applications",
                    json=BODY,
                    headers={**request_headers, "X-Crash": "1"},
                    timeout=10,
                )
                answered = first.status_code
            except httpx.TransportError:
                answered = None  # the process died before it could answer
        if point == "after_response":
            assert answered == 201
        else:
            assert answered is None

        with running_service(database_url, tmp_path) as service:
            retry = httpx.post(
                f"{service.base_url}/api/v1/applications",
                json=BODY,
                headers=request_headers,
                timeout=10,
            )
        assert retry.status_code == 201, retry.text
        # A replay exactly where the change had committed before the crash.
        committed = point != "before_commit"
        assert (retry.headers.get("idempotent-replayed") == "true") is committed
        stored = query(database_url, "SELECT count(*) FROM applications")[0][0]
        assert stored == 1
        keys = query(database_url, "SELECT count(*) FROM idempotency_records")[0][0]
        assert keys == 1


def test_a_retry_sent_the_instant_the_answer_arrives_is_a_replay(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    with fresh_database(cluster, tmp_path) as database_url:
        with running_service(database_url, tmp_path) as service:
            headers = sign_up(service.base_url)
            with httpx.Client(base_url=service.base_url, headers=headers, timeout=10) as client:
                for attempt in range(200):
                    keyed = {"Idempotency-Key": f"fast-{attempt}"}
                    first = client.post("/api/v1/applications", json=BODY, headers=keyed)
                    again = client.post("/api/v1/applications", json=BODY, headers=keyed)
                    assert first.status_code == 201, first.text
                    assert again.status_code == 201, (attempt, again.text)
                    assert again.headers["idempotent-replayed"] == "true"
                    assert again.json() == first.json()
        assert query(database_url, "SELECT count(*) FROM applications")[0][0] == 200
