"""Applications: list, create, update, delete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import PoolProxiedConnection

from app.applications.filters import ListFilters, clauses
from app.applications.schemas import ApplicationCreate, ApplicationOut, ApplicationPatch
from app.applications.status import change_status
from app.core.driver import DriverWrite
from app.core.errors import Conflict, NotFound
from app.core.loaded import (
    attach_loaded,
    columns_of,
    insert_values,
    insert_where,
    values_of,
)
from app.core.pagination import PageParams, paginate
from app.models import Application, Reference, User
from app.models.application import application_references
from app.models.base import utcnow
from app.models.enums import ApplicationStatus
from app.people.reference_service import owned_references
from app.webhooks.outbox import emit, without_subscriptions
from app.webhooks.payloads import DeletedApplication

LOAD_OPTIONS = (selectinload(Application.references),)


def _owned(user_id: uuid.UUID) -> Select[Application]:
    return select(Application).where(Application.owner_id == user_id).options(*LOAD_OPTIONS)


async def get_application(
    session: AsyncSession, user_id: uuid.UUID, application_id: uuid.UUID
) -> Application:
    application = await session.scalar(_owned(user_id).where(Application.id == application_id))
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


async def has_applications(session: AsyncSession, user_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Application.id).where(Application.owner_id == user_id).limit(1)
    )
    return found is not None


# A Core INSERT ... RETURNING, not session.add and flush: the unit of work cost more
# CPU than the insert's round trip (README, "Performance"). The columns' defaults
# (id, timestamps, version) still come from the model, and the row returned becomes
# the usual ORM object (app/core/loaded.py).
_INSERT = insert(Application).returning(*columns_of(Application))

# The API's create for an owner without webhook subscriptions (most owners): the row,
# written only while there is still no subscription, in one statement. It replaces
# BEGIN, the INSERT, the outbox's query and COMMIT: 2 round trips for the request
# instead of 5, and the owner's row (which a trigger updates, users.data_version) is
# locked for one statement, not for three round trips (README, "Performance").
_INSERT_UNLESS_SUBSCRIBED = DriverWrite(
    insert_where(Application, without_subscriptions(bindparam("owner_id")))
)


async def create_application(
    session: AsyncSession,
    user: User,
    data: ApplicationCreate,
    *,
    source: str = "manual",
    alone: bool = False,
) -> Application:
    """The new application, its `application.created` event queued for subscribers.

    `alone`: nothing else in the caller's request writes (the API's create). Then, with
    no references given, the row is tried first by `_INSERT_UNLESS_SUBSCRIBED`, which
    on PostgreSQL commits as it runs unless the request's transaction has begun (the
    token's last_used_at, say, then it commits with it): so it must be the request's
    one write. If the owner has a subscription, it writes nothing, and the row and its
    event are written together as below.
    """
    values = _new_values(data, user.id, source)
    try:
        if alone and not data.reference_ids:
            rows = await _INSERT_UNLESS_SUBSCRIBED.fetch(
                session, insert_values(Application, values)
            )
            if rows:
                return _loaded(session, rows[0], [])
        references = list(await owned_references(session, user.id, data.reference_ids))
        connection = await session.connection()
        row = (await connection.execute(_INSERT, values)).one()
        if references:
            await connection.execute(
                insert(application_references),
                [{"application_id": row.id, "reference_id": r.id} for r in references],
            )
    except IntegrityError as exc:
        raise _external_id_taken() from exc
    application = _loaded(session, row, references)
    await emit(session, user.id, "application.created", ApplicationOut.of(application))
    return application


def create_runs_pooled(dialect: Dialect) -> bool:
    """Whether `create_alone_pooled` can run on this dialect's driver."""
    return _INSERT_UNLESS_SUBSCRIBED.runs_pooled(dialect)


async def create_alone_pooled(
    pooled: PoolProxiedConnection, dialect: Dialect, owner_id: uuid.UUID, data: ApplicationCreate
) -> ApplicationOut | None:
    """`create_application(..., alone=True)`'s one statement on a connection held
    outside any session (the create's fast path), where it commits as it runs.

    The new application; or None, nothing written, where the owner has a webhook
    subscription (the row and its event go together: `create_application` without
    `alone`). `StatementRefused` if the server refused the row (a taken external_id),
    nothing written either. References given are a caller's mistake: ValueError.
    """
    if data.reference_ids:
        raise ValueError("references are linked in create_application's transaction")
    values = insert_values(Application, _new_values(data, owner_id, "manual"))
    rows = await _INSERT_UNLESS_SUBSCRIBED.fetch_pooled(pooled, dialect, values)
    return ApplicationOut.of_new(values_of(Application, rows[0])) if rows else None


def _new_values(data: ApplicationCreate, owner_id: uuid.UUID, source: str) -> dict[str, Any]:
    return {**data.model_dump(exclude={"reference_ids"}), "owner_id": owner_id, "source": source}


def _loaded(session: AsyncSession, row: Any, references: Sequence[Reference]) -> Application:
    """The inserted row as the session's Application, its references as given."""
    application = attach_loaded(session, Application, row)
    set_committed_value(application, "references", references)
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
