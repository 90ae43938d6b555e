"""The worker: delivers webhooks and mail, and runs the scheduler (app/scheduler.py).

Runs inside `followup serve` by default (FOLLOWUP_RUN_WORKER), or on its own as
`followup worker` / `python -m app.worker`. On PostgreSQL any number of workers may run
at once (rows are claimed with SKIP LOCKED under a lease); on SQLite one is enough.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker
from app.models.base import utcnow
from app.notifications.delivery import send_due_mail
from app.notifications.transport import open_transport, sender_address
from app.scheduler import run_tick
from app.webhooks.delivery import deliver_due, new_http_clients
from app.webhooks.tuning import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_LEASE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TIMEOUT,
    add_worker_arguments,
)

logger = logging.getLogger("followup.worker")

# After an unexpected error (database down, say), wait this long before trying again.
ERROR_BACKOFF_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    batch_size: int = DEFAULT_BATCH_SIZE
    concurrency: int = DEFAULT_CONCURRENCY
    lease: timedelta = DEFAULT_LEASE
    poll_interval: float = DEFAULT_POLL_INTERVAL
    scheduler: bool = True
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def run_worker(
    settings: Settings,
    options: WorkerOptions,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """Deliver and schedule until `options.stop` is set."""
    engine = None
    if sessionmaker is None:
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
    worst_batch = math.ceil(options.batch_size / options.concurrency) * DEFAULT_TIMEOUT
    if options.lease.total_seconds() <= worst_batch:
        logger.warning(
            "lease of %ss is shorter than a slow batch (%ss): messages may be sent twice",
            options.lease.total_seconds(),
            worst_batch,
        )
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(_deliver_forever(settings, options, sessionmaker))
            tasks.create_task(_mail_forever(settings, options, sessionmaker))
            if options.scheduler:
                tasks.create_task(_schedule_forever(settings, options, sessionmaker))
    finally:
        if engine is not None:
            await engine.dispose()


async def _deliver_forever(
    settings: Settings, options: WorkerOptions, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(c) for c in new_http_clients(options.concurrency)
        ]
        while not options.stop.is_set():
            try:
                sent = await deliver_due(
                    sessionmaker,
                    http_client=clients,
                    allow_private=settings.webhooks_allow_private_targets,
                    batch_size=options.batch_size,
                    concurrency=options.concurrency,
                    lease=options.lease,
                    retry_scale=settings.webhook_retry_scale,
                )
            except Exception:
                logger.exception("delivering webhooks failed; retrying shortly")
                await _sleep(options.stop, ERROR_BACKOFF_SECONDS)
                continue
            if sent < options.batch_size:  # caught up: a full batch means more may wait
                await _sleep(options.stop, options.poll_interval)


async def _mail_forever(
    settings: Settings, options: WorkerOptions, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    sender = sender_address(settings.mail_from)
    while not options.stop.is_set():
        try:
            sent = await send_due_mail(
                sessionmaker,
                lambda: open_transport(settings.smtp_url, settings.mail_dir),
                sender=sender,
                batch_size=options.batch_size,
                lease=options.lease,
                retry_scale=settings.webhook_retry_scale,
            )
        except Exception:
            logger.exception("sending mail failed; retrying shortly")
            await _sleep(options.stop, ERROR_BACKOFF_SECONDS)
            continue
        if sent < options.batch_size:  # caught up: a full batch means more may wait
            await _sleep(options.stop, options.poll_interval)


async def _schedule_forever(
    settings: Settings, options: WorkerOptions, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    while not options.stop.is_set():
        try:
            await run_tick(sessionmaker, settings, now=utcnow())
        except Exception:
            logger.exception("the scheduler's tick failed")
        await _sleep(options.stop, settings.scheduler_interval)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if asked to stop."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


@contextlib.asynccontextmanager
async def embedded_worker(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[None]:
    """Run the worker alongside the web app (when FOLLOWUP_RUN_WORKER is on)."""
    if not settings.run_worker:
        yield
        return
    options = WorkerOptions()
    task = asyncio.create_task(run_worker(settings, options, sessionmaker))
    task.add_done_callback(_report_crash)
    try:
        yield
    finally:
        options.stop.set()
        # In-flight deliveries get their timeout to finish; their leases cover the rest.
        done, _ = await asyncio.wait({task}, timeout=DEFAULT_TIMEOUT + 5)
        if not done:
            logger.warning("the worker did not stop in time; its leases will expire")
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task  # a crash was logged when it happened


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("the in-process webhook worker stopped", exc_info=error)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.worker", description=__doc__)
    return add_worker_arguments(parser)


def run_from_args(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM, finishing the batch in flight."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if min(args.batch_size, args.concurrency) < 1 or args.lease_seconds <= 0:
        print("batch size, concurrency and lease must be positive", file=sys.stderr)
        return 2

    async def main() -> None:
        options = WorkerOptions(
            batch_size=args.batch_size,
            concurrency=args.concurrency,
            lease=timedelta(seconds=args.lease_seconds),
            poll_interval=args.poll_interval,
            scheduler=not args.no_scheduler,
        )
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, options.stop.set)
        logger.info("worker started")
        await run_worker(get_settings(), options)
        logger.info("worker stopped")

    asyncio.run(main())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_from_args(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
