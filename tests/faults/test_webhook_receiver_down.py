"""A webhook receiver that is down for a while, then back: every event made meanwhile
is delivered once it is back, under its original webhook-id.

The real service runs its embedded worker with the retry schedule shrunk by
FOLLOWUP_WEBHOOK_RETRY_SCALE (5 s, 5 min, 30 min... become 2.5 ms, 150 ms, 0.9 s...),
so the outage spans several retries in about a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.faults.cluster import PrivateCluster
from tests.faults.helpers import fresh_database, report, running_service, sign_up
from tests.web.live_server import free_port
from tests.webhooks.receiver import running_receiver

EVENTS = 10
RETRY_SCALE = "0.0005"
DEADLINE_SECONDS = 20.0


def _wait_for(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_SECONDS:g} s: {what}")
        time.sleep(0.05)  # polling a separate process, not timing anything


def test_every_event_is_delivered_once_the_receiver_is_back(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    port = free_port()
    with (
        fresh_database(cluster, tmp_path) as database_url,
        running_service(
            database_url,
            tmp_path,
            run_worker="true",
            webhooks_allow_private_targets="true",
            webhook_retry_scale=RETRY_SCALE,
            scheduler_interval="3600",
        ) as service,
        httpx.Client(base_url=service.base_url, headers=sign_up(service.base_url)) as api,
    ):
        subscription = api.post(
            "/api/v1/webhooks",
            json={"url": f"http://127.0.0.1:{port}/hooks", "events": ["application.created"]},
        ).json()
        deliveries_url = f"/api/v1/webhooks/{subscription['id']}/deliveries?limit=200"

        def attempts() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = api.get(deliveries_url).json()["items"]
            return items

        # The receiver is down: nothing listens on its port.
        went_down = time.monotonic()
        for n in range(EVENTS):
            assert (
                api.post(
                    "/api/v1/applications", json={"company": f"Company {n}", "role_title": "R"}
                ).status_code
                == 201
            )
        _wait_for(
            "two failed attempts per event",
            lambda: len([a for a in attempts() if a["status_code"] is None]) >= 2 * EVENTS,
        )
        failed = [a for a in attempts() if a["status_code"] is None]
        message_ids = {a["message_id"] for a in failed}
        assert len(message_ids) == EVENTS
        with running_receiver(port) as receiver:
            back = time.monotonic()
            _wait_for("every event delivered", lambda: message_ids <= set(receiver.ids()))
            all_delivered = time.monotonic()
            received = receiver.ids()

        # The worker writes an attempt's outcome after the receiver has answered it:
        # the receiver can hold every event a moment before the log shows them.
        _wait_for("every delivery recorded", lambda: _delivered(attempts()) >= message_ids)
        log = attempts()
    assert set(received) == message_ids  # nothing lost, nothing invented
    assert _delivered(log) == message_ids
    report(
        "webhook receiver down, then back",
        events_while_down=EVENTS,
        receiver_down_s=round(back - went_down, 2),
        failed_attempts_while_down=len([a for a in log if a["status_code"] is None]),
        delivered_after_back=len(set(received)),
        duplicate_deliveries=len(received) - len(set(received)),
        seconds_from_back_to_all_delivered=round(all_delivered - back, 2),
        events_lost=len(message_ids - set(received)),
    )


def _delivered(log: list[dict[str, Any]]) -> set[str]:
    """The messages the delivery log shows answered 200."""
    return {a["message_id"] for a in log if a["status_code"] == 200}
