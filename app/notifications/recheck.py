"""Ask the scheduler to look at a user again on its next tick.

For the changes the data_version triggers don't see: mail settings, the timezone, a
webhook subscription to recommendation.due.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.base import EPOCH


def reschedule(user: User) -> None:
    """Look again now, and work the digest's time out anew."""
    user.next_check_at = EPOCH
    user.digest_due_at = None


async def reschedule_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """reschedule() for a user not loaded; the digest's time stands."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(next_check_at=EPOCH)
        .execution_options(synchronize_session=False)
    )
