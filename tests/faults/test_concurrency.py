"""Racing writers against the real service on PostgreSQL: 20 PATCHes with the same
If-Match, exactly one wins and the rest are 412; 20 POSTs with the same
Idempotency-Key, one resource. (A single in-process connection would serialise the
requests and prove nothing, hence a server process with its connection pool.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.cluster import PrivateCluster
from tests.faults.helpers import Service, fresh_database, query, report, running_service, sign_up

RACERS = 20


@pytest.fixture(scope="module")
def service(cluster: PrivateCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    workdir: Path = tmp_path_factory.mktemp("concurrency")
    with (
        fresh_database(cluster, workdir) as database_url,
        running_service(database_url, workdir) as running,
    ):
        yield running


async def _race(requests: list[httpx.Request]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=30) as client:
        # All connections open first, so the requests leave together.
        return await asyncio.gather(*(client.send(r) for r in requests))


def test_same_if_match_exactly_one_patch_wins(service: Service) -> None:
    headers = sign_up(service.base_url, "patch@example.com")
    url = f"{service.base_url}/api/v1/applications"
    created = httpx.post(url, json={"company": "Acme", "role_title": "R"}, headers=headers)
    assert created.status_code == 201
    etag, app_url = created.headers["etag"], created.headers["location"]
    requests = [
        httpx.Request(
            "PATCH", app_url, json={"notes": f"writer {n}"}, headers={**headers, "If-Match": etag}
        )
        for n in range(RACERS)
    ]
    responses = asyncio.run(_race(requests))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 412: RACERS - 1}, statuses
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 412
    )
    winner = next(r for r in responses if r.status_code == 200).json()
    final = httpx.get(app_url, headers=headers).json()
    assert final["notes"] == winner["notes"]
    assert final["version"] == winner["version"] == created.json()["version"] + 1
    report("20 concurrent PATCH, same If-Match", succeeded=statuses[200], refused_412=statuses[412])


def test_same_idempotency_key_one_resource(service: Service) -> None:
    headers = sign_up(service.base_url, "post@example.com")
    url = f"{service.base_url}/api/v1/applications"
    requests = [
        httpx.Request(
            "POST",
            url,
            json={"company": "Initech", "role_title": "R"},
            headers={**headers, "Idempotency-Key": "one-key"},
        )
        for _ in range(RACERS)
    ]
    responses = asyncio.run(_race(requests))
    statuses = Counter(r.status_code for r in responses)
    # The first creates; the others replay its answer, or (while it is still in flight)
    # are told to retry with 409.
    assert set(statuses) <= {201, 409}, statuses
    ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    rows = query(
        service.database_url,
        "SELECT count(*) FROM applications WHERE company = :company",
        company="Initech",
    )
    assert rows[0][0] == 1
    report(
        "20 concurrent POST, same Idempotency-Key",
        created_or_replayed_201=statuses[201],
        in_flight_409=statuses[409],
        applications_stored=rows[0][0],
    )
