"""The policy's objections to a status inquiry the user is about to record (docs/next-steps.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, User
from app.policy import status_inquiry_warnings
from app.recommendations.loader import load_policy_input, user_input


async def status_inquiry_warnings_for(
    session: AsyncSession, application: Application, occurred_at: datetime
) -> list[str]:
    user = await session.get(User, application.owner_id)
    assert user is not None
    applications, _ = await load_policy_input(session, user.id, application.id)
    return status_inquiry_warnings(user_input(user), applications[0], occurred_at)
