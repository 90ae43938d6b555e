"""PostgreSQL goes away under load and comes back: every request in the meantime is a
2xx or a quick 503 problem+json (no hang, no 500), the service recovers by itself, and
every write it acknowledged is in the database afterwards.

The real service (`followup serve`) runs against the private cluster; a few clients
keep creating applications while the cluster is stopped (a clean `fast` shutdown, or
`immediate`, which is a crash followed by recovery), left down for a second, and
started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.faults.cluster import PrivateCluster
from tests.faults.helpers import (
    fresh_database,
    missing_application_ids,
    query,
    report,
    running_service,
    sign_up,
)

CLIENTS = 4
PACE_SECONDS = 0.05  # between one client's requests: ~50 requests/s in all
OUTAGE_SECONDS = 1.0
# Longer than any answer may take: a request still open after this counts as a hang.
REQUEST_TIMEOUT = 10.0
RECOVERY_LIMIT = 10.0


@dataclass(frozen=True)
class Sent:
    at: float
    took: float
    status: int | None  # None: no answer at all (a timeout or a dropped connection)
    content_type: str = ""
    retry_after: str | None = None
    created_id: str | None = None
    error: str | None = None

    @property
    def clean_failure(self) -> bool:
        return (
            self.status == 503
            and self.content_type == "application/problem+json"
            and self.retry_after is not None
        )


@dataclass
class Timeline:
    fault_started: float = 0.0
    database_back: float = 0.0
    recovered: float | None = None


async def _create(client: httpx.AsyncClient, name: str) -> Sent:
    at = time.monotonic()
    try:
        r = await client.post(
            "/api/v1/applications",
            json={"company": name, "role_title": "R"},
            headers={"Idempotency-Key": name},  # as a careful client sends them
        )
    except httpx.HTTPError as exc:
        return Sent(at, time.monotonic() - at, None, error=repr(exc))
    return Sent(
        at,
        time.monotonic() - at,
        r.status_code,
        r.headers.get("content-type", ""),
        r.headers.get("retry-after"),
        r.json()["id"] if r.status_code == 201 else None,
    )


async def _through_an_outage(
    base_url: str, headers: dict[str, str], cluster: PrivateCluster, mode: str
) -> tuple[list[Sent], Timeline]:
    sent: list[Sent] = []
    timeline = Timeline()
    done = asyncio.Event()
    recovered = asyncio.Event()

    async def client_loop(client: httpx.AsyncClient, n: int) -> None:
        i = 0
        while not done.is_set():
            outcome = await _create(client, f"client{n}-{i}")
            sent.append(outcome)
            back = timeline.database_back
            first_success_after = back and outcome.at >= back and outcome.status == 201
            if first_success_after and timeline.recovered is None:
                timeline.recovered = outcome.at
                recovered.set()
            i += 1
            await asyncio.sleep(PACE_SECONDS)

    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT
    ) as client:
        loops = [asyncio.create_task(client_loop(client, n)) for n in range(CLIENTS)]
        await asyncio.sleep(1.0)  # steady state first
        timeline.fault_started = time.monotonic()
        await asyncio.to_thread(cluster.stop, mode)
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(cluster.start)
        timeline.database_back = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(recovered.wait(), RECOVERY_LIMIT)
        await asyncio.sleep(0.5)  # and a little steady state after
        done.set()
        await asyncio.gather(*loops)
    return sent, timeline


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_database_restart_fails_requests_cleanly_and_loses_no_write(
    cluster: PrivateCluster, tmp_path: Path, mode: str
) -> None:
    with fresh_database(cluster, tmp_path) as database_url:
        with running_service(database_url, tmp_path) as service:
            headers = sign_up(service.base_url)
            sent, timeline = asyncio.run(
                _through_an_outage(service.base_url, headers, cluster, mode)
            )
        acknowledged = [s.created_id for s in sent if s.created_id is not None]
        lost = missing_application_ids(database_url, acknowledged)
        stored = query(database_url, "SELECT count(*) FROM applications")[0][0]
        # A key is claimed in its change's transaction, so none can outlive an outage
        # without its answer (app/core/idempotency.py).
        unanswered_keys = query(
            database_url, "SELECT count(*) FROM idempotency_records WHERE status_code IS NULL"
        )[0][0]
    log = (tmp_path / "server.log").read_text(errors="replace")

    unexpected = [s for s in sent if s.status != 201 and not s.clean_failure]
    assert not unexpected, unexpected[:5]  # no 500, no hang, no dropped connection
    assert max(s.took for s in sent) < REQUEST_TIMEOUT
    assert "Traceback" not in log
    assert timeline.recovered is not None, "the service did not recover by itself"
    during = [s for s in sent if timeline.fault_started <= s.at < timeline.recovered]
    failed_cleanly = [s for s in during if s.clean_failure]
    assert failed_cleanly, "no request met the outage: the test proved nothing"
    assert not lost
    assert unanswered_keys == 0
    report(
        f"postgresql stop -m {mode}, {OUTAGE_SECONDS:g} s down, start",
        requests_sent=len(sent),
        sent_during_fault=len(during),
        failed_cleanly_503=len(failed_cleanly),
        succeeded_during_fault=sum(1 for s in during if s.status == 201),
        other_answers=len(unexpected),
        slowest_answer_s=round(max(s.took for s in sent), 2),
        recovery_after_database_back_s=round(timeline.recovered - timeline.database_back, 2),
        writes_acknowledged=len(acknowledged),
        writes_lost=len(lost),
        stored_without_acknowledgement=stored - len(acknowledged),
        idempotency_keys_left_unanswered=unanswered_keys,
    )
