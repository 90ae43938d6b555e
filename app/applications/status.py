"""Status changes, with the `status_changed` event every change leaves behind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.events.schemas import EventOut
from app.models import Application, Event
from app.models.base import utcnow
from app.models.enums import EventType
from app.webhooks.outbox import emit


async def change_status(
    session: AsyncSession,
    application: Application,
    new_status: str,
    *,
    occurred_at: datetime | None = None,
) -> Event | None:
    """Set the status and record the change; no event when nothing changes."""
    if application.status == new_status:
        return None
    event = Event(
        owner_id=application.owner_id,
        application_id=application.id,
        type=EventType.status_changed.value,
        occurred_at=occurred_at or utcnow(),
        from_status=application.status,
        to_status=new_status,
    )
    application.status = new_status
    session.add(event)
    await session.flush()
    await emit(
        session, event.owner_id, "application.status_changed", EventOut.model_validate(event)
    )
    return event
