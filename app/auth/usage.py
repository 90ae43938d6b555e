"""When each API token was last used, recorded off the request path.

Writing `last_used_at` from the request that used the token would make every read
a write (and, on PostgreSQL, begin a transaction a read otherwise doesn't need).
Requests only note the use here, in memory; `record` writes what was noted in one
statement per token, from a task of its own (`recording`), every
`RECORD_EVERY` seconds and when the process stops. A minute's precision is plenty
to tell a live token from a forgotten one, so a token is noted at most once a
minute, and a crash loses at most the last few seconds of such notes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import anyio
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ApiToken

logger = logging.getLogger("followup.tokens")

PRECISION = timedelta(minutes=1)
RECORD_EVERY = 10.0  # seconds


class TokenUsage:
    """Token uses noted by requests, waiting to be written."""

    def __init__(self) -> None:
        self._pending: dict[uuid.UUID, datetime] = {}
        self._noted: dict[uuid.UUID, datetime] = {}

    def note(self, token_id: uuid.UUID, last_used_at: datetime | None, now: datetime) -> None:
        """Note a use of the token, unless it was recorded (or noted) within `PRECISION`."""
        latest = self._noted.get(token_id, last_used_at)
        if latest is not None and now - latest < PRECISION:
            return
        self._noted[token_id] = now
        self._pending[token_id] = now

    async def record(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Write the uses noted so far; how many tokens were written."""
        pending, self._pending = self._pending, {}
        # What was noted long ago needs no guard any more: the next use notes again.
        self._noted = {token_id: at for token_id, at in self._noted.items() if token_id in pending}
        if not pending:
            return 0
        async with sessionmaker() as session, session.begin():
            for token_id, at in pending.items():
                # Never back in time: another process may have written a later use.
                await session.execute(
                    update(ApiToken)
                    .where(
                        ApiToken.id == token_id,
                        or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < at),
                    )
                    .values(last_used_at=at)
                )
        return len(pending)

    @asynccontextmanager
    async def recording(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[None]:
        """Record noted uses every `RECORD_EVERY` seconds while the block runs, and
        once more at its end."""

        async def loop() -> None:
            while True:
                await anyio.sleep(RECORD_EVERY)
                await self._record_logged(sessionmaker)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(loop)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    await self._record_logged(sessionmaker)

    async def _record_logged(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        try:
            await self.record(sessionmaker)
        except Exception as exc:
            # The database is away: these notes are lost, which costs a minute's
            # precision on a few tokens, never a request.
            logger.warning("could not record token usage: %r", exc)
