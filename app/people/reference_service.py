"""References: the user's own, shared across applications."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import apply_changes, get_owned
from app.core.errors import Unprocessable
from app.core.pagination import PageParams, paginate
from app.models import Reference, User
from app.people.schemas import ReferenceCreate, ReferenceOut, ReferencePatch
from app.webhooks.outbox import emit
from app.webhooks.payloads import Deleted


async def owned_references(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> Sequence[Reference]:
    """The references with these ids; 422 if any is not the user's (or doesn't exist)."""
    wanted = set(ids)
    if not wanted:
        return []
    rows = (
        await session.scalars(
            select(Reference).where(Reference.owner_id == user_id, Reference.id.in_(wanted))
        )
    ).all()
    missing = wanted - {r.id for r in rows}
    if missing:
        raise Unprocessable(
            f"No reference of yours has the id {sorted(map(str, missing))[0]}.",
            loc=["body", "reference_ids"],
        )
    return rows


async def get_reference(
    session: AsyncSession, user_id: uuid.UUID, reference_id: uuid.UUID
) -> Reference:
    return await get_owned(session, Reference, user_id, reference_id, "reference")


async def list_references(
    session: AsyncSession, user: User, params: PageParams
) -> tuple[Sequence[Reference], str | None]:
    return await paginate(
        session,
        select(Reference).where(Reference.owner_id == user.id),
        sort_column=Reference.created_at,
        id_column=Reference.id,
        params=params,
    )


async def create_reference(session: AsyncSession, user: User, data: ReferenceCreate) -> Reference:
    reference = Reference(owner_id=user.id, **data.model_dump())
    session.add(reference)
    await session.flush()
    await emit(session, reference.owner_id, "reference.created", _out(reference))
    return reference


async def update_reference(
    session: AsyncSession, reference: Reference, data: ReferencePatch
) -> Reference:
    apply_changes(reference, data.changes())
    await session.flush()
    if data.model_fields_set:  # an empty PATCH changes nothing, so announces nothing
        await emit(session, reference.owner_id, "reference.updated", _out(reference))
    return reference


async def delete_reference(session: AsyncSession, reference: Reference) -> None:
    await session.delete(reference)
    await session.flush()
    await emit(session, reference.owner_id, "reference.deleted", Deleted(id=reference.id))


def _out(reference: Reference) -> ReferenceOut:
    return ReferenceOut.model_validate(reference, from_attributes=True)
