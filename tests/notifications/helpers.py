"""Shared steps of the mail tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import MailMessage


async def mails(session: AsyncSession, **where: Any) -> list[MailMessage]:
    rows = await session.scalars(
        select(MailMessage)
        .filter_by(**where)
        .order_by(MailMessage.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())
