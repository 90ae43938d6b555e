"""Applications: list, create, update, delete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.applications.filters import ListFilters, clauses
from app.applications.schemas import ApplicationCreate, ApplicationOut, ApplicationPatch
from app.applications.status import change_status
from app.core.errors import Conflict, NotFound
from app.core.pagination import PageParams, paginate
from app.models import Application, User
from app.models.base import utcnow
from app.models.enums import ApplicationStatus
from app.people.reference_service import owned_references
from app.webhooks.outbox import emit
from app.webhooks.payloads import DeletedApplication

LOAD_OPTIONS = (selectinload(Application.references),)


def _owned(user_id: uuid.UUID) -> Select[Application]:
    return select(Application).where(Application.owner_id == user_id).options(*LOAD_OPTIONS)


# Built once: every application-scoped request loads its application with it, and a
# statement built per request costs more CPU in SQLAlchemy than its round trip.
_OWNED_ONE = (
    select(Application)
    .where(Application.owner_id == bindparam("owner_id"), Application.id == bindparam("id"))
    .options(*LOAD_OPTIONS)
)


async def get_application(
    session: AsyncSession, user_id: uuid.UUID, application_id: uuid.UUID
) -> Application:
    application = await session.scalar(_OWNED_ONE, {"owner_id": user_id, "id": application_id})
    if application is None:
        raise NotFound("application")
    return application


async def list_applications(
    session: AsyncSession,
    user: User,
    params: PageParams,
    *,
    statuses: Sequence[ApplicationStatus] = (),
    active: bool | None = None,
    q: str | None = None,
    updated_since: datetime | None = None,
) -> tuple[Sequence[Application], str | None]:
    filters = ListFilters(statuses, active, q, updated_since)
    return await paginate(
        session,
        _owned(user.id).where(*clauses(filters.shape)),
        sort_column=Application.created_at,
        id_column=Application.id,
        params=params,
        bind=filters.params(),
    )


async def count_by_status(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    """How many of the user's applications are in each status (absent ones: none)."""
    rows = await session.execute(
        select(Application.status, func.count())
        .where(Application.owner_id == user_id)
        .group_by(Application.status)
    )
    return {status: count for status, count in rows}


async def has_applications(session: AsyncSession, user_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Application.id).where(Application.owner_id == user_id).limit(1)
    )
    return found is not None


async def create_application(
    session: AsyncSession, user: User, data: ApplicationCreate, *, source: str = "manual"
) -> Application:
    """The new application, its `application.created` event queued for subscribers."""
    references = list(await owned_references(session, user.id, data.reference_ids))
    application = Application(
        **data.model_dump(exclude={"reference_ids"}),
        owner_id=user.id,
        source=source,
        references=references,
    )
    session.add(application)
    await _flush_unique(session)
    await emit(session, user.id, "application.created", ApplicationOut.of(application))
    return application


async def update_application(
    session: AsyncSession, application: Application, data: ApplicationPatch
) -> Application:
    changes = data.changes()
    if "reference_ids" in changes:
        application.references = list(
            await owned_references(session, application.owner_id, changes.pop("reference_ids"))
        )
    new_status = changes.pop("status", None)
    for field, value in changes.items():
        setattr(application, field, value)
    if data.model_fields_set:
        # Touch the row even when only the reference list changed, so `version`
        # and the ETag move whenever the representation does.
        application.updated_at = utcnow()
    try:
        # change_status flushes too, so a taken external_id can surface there first.
        if new_status is not None:
            await change_status(session, application, new_status)
        await session.flush()
    except IntegrityError as exc:
        raise _external_id_taken() from exc
    if data.model_fields_set:
        await emit(
            session, application.owner_id, "application.updated", ApplicationOut.of(application)
        )
    return application


async def delete_application(session: AsyncSession, application: Application) -> None:
    # Interviews, interviewers and events go with it (ON DELETE CASCADE).
    await session.delete(application)
    await session.flush()
    await emit(
        session, application.owner_id, "application.deleted", DeletedApplication(id=application.id)
    )


def _external_id_taken() -> Conflict:
    return Conflict("You already have an application with this external_id.")


async def _flush_unique(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _external_id_taken() from exc
