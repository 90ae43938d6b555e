"""Follow-up events: record, list, delete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.status import change_status
from app.core.crud import get_owned
from app.core.errors import NotFound, Unprocessable
from app.core.pagination import PageParams, paginate
from app.events.schemas import EventCreate, EventOut
from app.models import Application, Event, Interview, Interviewer, Reference
from app.models.base import utcnow
from app.models.enums import ApplicationStatus, EventType, PostableEventType
from app.recommendations.warnings import status_inquiry_warnings_for
from app.webhooks.outbox import emit

# Clocks drift: a minute of grace keeps "just now" from phones from being refused.
FUTURE_TOLERANCE = timedelta(minutes=1)


async def get_event(session: AsyncSession, user_id: uuid.UUID, event_id: uuid.UUID) -> Event:
    return await get_owned(session, Event, user_id, event_id, "event")


async def list_events(
    session: AsyncSession,
    application: Application,
    params: PageParams,
    types: Sequence[EventType] = (),
) -> tuple[Sequence[Event], str | None]:
    stmt = select(Event).where(Event.application_id == application.id)
    if types:
        stmt = stmt.where(Event.type.in_([t.value for t in types]))
    return await paginate(
        session, stmt, sort_column=Event.occurred_at, id_column=Event.id, params=params
    )


async def _check_links(session: AsyncSession, application: Application, data: EventCreate) -> None:
    """Linked ids must be of the same application (the reference: of the same user)."""
    checks: list[tuple[str, uuid.UUID | None, type[Interviewer] | type[Interview], str]] = [
        ("interviewer_id", data.interviewer_id, Interviewer, "interviewer"),
        ("interview_id", data.interview_id, Interview, "interview"),
    ]
    for field, value, model, what in checks:
        if value is None:
            continue
        found = await session.scalar(
            select(model.id).where(model.id == value, model.application_id == application.id)
        )
        if found is None:
            raise Unprocessable(f"No {what} of this application has that id.", loc=["body", field])
    if data.reference_id is not None:
        try:
            await get_owned(session, Reference, application.owner_id, data.reference_id, "ref")
        except NotFound as exc:
            raise Unprocessable(
                "No reference of yours has that id.", loc=["body", "reference_id"]
            ) from exc


async def record_event(session: AsyncSession, application: Application, data: EventCreate) -> Event:
    now = utcnow()
    occurred_at = data.occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        raise Unprocessable(
            "occurred_at is in the future: record things once they have happened.",
            loc=["body", "occurred_at"],
        )
    await _check_links(session, application, data)
    event = Event(
        owner_id=application.owner_id,
        application_id=application.id,
        **data.model_dump(exclude={"occurred_at"}),
        occurred_at=occurred_at,
    )
    session.add(event)
    await session.flush()
    await emit(session, event.owner_id, "event.created", EventOut.model_validate(event))
    if data.type == PostableEventType.withdrawal:
        await change_status(
            session, application, ApplicationStatus.withdrawn.value, occurred_at=occurred_at
        )
    return event


async def delete_event(session: AsyncSession, event: Event) -> None:
    await session.delete(event)
    await session.flush()


async def record_event_with_warnings(
    session: AsyncSession, application: Application, data: EventCreate
) -> tuple[Event, list[str]]:
    """Record the event, with the policy's warnings when it goes against the advice.

    Only `status_inquiry` has any: too soon, or a third without a reply. The warnings
    are worked out before the event is added, from what was known until then.
    """
    warnings: list[str] = []
    if data.type == PostableEventType.status_inquiry:
        warnings = await status_inquiry_warnings_for(
            session, application, data.occurred_at or utcnow()
        )
    return await record_event(session, application, data), warnings
