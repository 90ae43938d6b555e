"""Queue a mail in the caller's transaction (never commits): the mail outbox.

The row is both the message and the claim that it was decided: `(user_id, dedupe_key)` is
unique, and the insert is `ON CONFLICT DO NOTHING`, so of two workers deciding the same
digest at once, or a restart deciding it again, only one row ever exists. Rolled back with
the transaction, it was never decided; committed, the worker will send it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import MailMessage, User
from app.notifications.compose import Composed


async def queue_mail(
    session: AsyncSession,
    user: User,
    kind: str,
    mail: Composed,
    *,
    now: datetime,
    dedupe_key: str | None = None,
) -> uuid.UUID | None:
    """The new message's id; None when this user already has one with this dedupe_key."""
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    stmt = (
        insert(MailMessage)
        .values(
            id=uuid.uuid4(),
            user_id=user.id,
            kind=kind,
            dedupe_key=dedupe_key,
            recipient=user.email,
            subject=mail.subject[:300],
            content=mail.content,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(MailMessage.id)
    )
    return await session.scalar(stmt)
