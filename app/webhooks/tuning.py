"""The worker's knobs and their defaults, importable without loading the app (CLI parsing)."""

from __future__ import annotations

import argparse
from datetime import timedelta

DEFAULT_BATCH_SIZE = 100
DEFAULT_CONCURRENCY = 32
# Connections per HTTP client; more clients when the concurrency is higher (see delivery).
CONNECTIONS_PER_CLIENT = 4
# Per attempt, connecting and reading included: a receiver that can't answer in 10 s
# counts as failed (docs/webhooks.md).
DEFAULT_TIMEOUT = 10.0
# Longer than the slowest batch can take (batch / concurrency timeouts in a row),
# so a live worker never loses its rows to another one.
DEFAULT_LEASE = timedelta(seconds=60)
# How often an idle worker looks for new messages: the floor on delivery latency.
DEFAULT_POLL_INTERVAL = 0.2


def add_worker_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="messages claimed at once"
    )
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="requests in flight"
    )
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=DEFAULT_LEASE.total_seconds(),
        help="how long claimed messages stay this worker's before another may take them",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_POLL_INTERVAL,
        help="seconds between looks for new messages when idle",
    )
    parser.add_argument(
        "--no-scheduler",
        action="store_true",
        help="don't run the scheduler (digests, alerts, recommendation.due)",
    )
    return parser
