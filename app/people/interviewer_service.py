"""Interviewers: the people met during an application's interviews."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import apply_changes, get_owned
from app.core.errors import Unprocessable
from app.core.pagination import PageParams, paginate
from app.models import Application, Interviewer
from app.people.schemas import InterviewerCreate, InterviewerOut, InterviewerPatch
from app.webhooks.outbox import emit
from app.webhooks.payloads import DeletedChild


async def interviewers_of_application(
    session: AsyncSession, application_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> Sequence[Interviewer]:
    """The interviewers with these ids; 422 if any is not of this application."""
    wanted = set(ids)
    if not wanted:
        return []
    rows = (
        await session.scalars(
            select(Interviewer).where(
                Interviewer.application_id == application_id, Interviewer.id.in_(wanted)
            )
        )
    ).all()
    missing = wanted - {r.id for r in rows}
    if missing:
        raise Unprocessable(
            f"No interviewer of this application has the id {sorted(map(str, missing))[0]}.",
            loc=["body", "interviewer_ids"],
        )
    return rows


async def get_interviewer(
    session: AsyncSession, user_id: uuid.UUID, interviewer_id: uuid.UUID
) -> Interviewer:
    return await get_owned(session, Interviewer, user_id, interviewer_id, "interviewer")


async def list_interviewers(
    session: AsyncSession, application: Application, params: PageParams
) -> tuple[Sequence[Interviewer], str | None]:
    return await paginate(
        session,
        select(Interviewer).where(Interviewer.application_id == application.id),
        sort_column=Interviewer.created_at,
        id_column=Interviewer.id,
        params=params,
    )


async def create_interviewer(
    session: AsyncSession, application: Application, data: InterviewerCreate
) -> Interviewer:
    interviewer = Interviewer(
        owner_id=application.owner_id, application_id=application.id, **data.model_dump()
    )
    session.add(interviewer)
    await session.flush()
    await emit(session, interviewer.owner_id, "interviewer.created", _out(interviewer))
    return interviewer


async def update_interviewer(
    session: AsyncSession, interviewer: Interviewer, data: InterviewerPatch
) -> Interviewer:
    apply_changes(interviewer, data.changes())
    await session.flush()
    if data.model_fields_set:  # an empty PATCH changes nothing, so announces nothing
        await emit(session, interviewer.owner_id, "interviewer.updated", _out(interviewer))
    return interviewer


async def delete_interviewer(session: AsyncSession, interviewer: Interviewer) -> None:
    await session.delete(interviewer)
    await session.flush()
    gone = DeletedChild(id=interviewer.id, application_id=interviewer.application_id)
    await emit(session, interviewer.owner_id, "interviewer.deleted", gone)


def _out(interviewer: Interviewer) -> InterviewerOut:
    return InterviewerOut.model_validate(interviewer, from_attributes=True)
