"""Failed-login throttling per (account, client address), kept in the database.

Keeping the failures in the database, not in memory, means every API process
behind a load balancer sees the same count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import TooManyRequests
from app.models import LoginFailure

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


async def refuse_if_throttled(
    session: AsyncSession, email: str, client_address: str, now: datetime
) -> None:
    since = now - WINDOW
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(
                LoginFailure.email == email,
                LoginFailure.client_address == client_address,
                LoginFailure.failed_at > since,
            )
        )
    ).one()
    if count >= MAX_FAILURES and oldest is not None:
        retry_after = int(((oldest + WINDOW) - now).total_seconds()) + 1
        raise TooManyRequests(
            "Too many failed sign-in attempts. Wait a few minutes and try again.",
            retry_after_seconds=retry_after,
        )


async def record_failure(
    session: AsyncSession, email: str, client_address: str, now: datetime
) -> None:
    session.add(LoginFailure(email=email, client_address=client_address, failed_at=now))
    # Old rows are useless; trimming them here keeps the table small without a cron job.
    await session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - WINDOW))
    await session.flush()


async def forget_failures(session: AsyncSession, email: str, client_address: str) -> None:
    await session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == email, LoginFailure.client_address == client_address
        )
    )
