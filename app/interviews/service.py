"""Interviews of an application."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.applications.schemas import ApplicationPatch
from app.applications.service import update_application
from app.core.crud import apply_changes, get_owned
from app.core.errors import Unprocessable
from app.core.pagination import PageParams, paginate
from app.interviews.schemas import InterviewCreate, InterviewOut, InterviewPatch
from app.models import Application, Interview
from app.models.base import utcnow
from app.models.enums import ApplicationStatus
from app.people.interviewer_service import interviewers_of_application
from app.webhooks.outbox import emit
from app.webhooks.payloads import DeletedChild

DEFAULT_LENGTH = timedelta(hours=1)
LOAD_OPTIONS = (selectinload(Interview.interviewers),)


async def get_interview(
    session: AsyncSession, user_id: uuid.UUID, interview_id: uuid.UUID
) -> Interview:
    return await get_owned(session, Interview, user_id, interview_id, "interview", *LOAD_OPTIONS)


async def list_interviews(
    session: AsyncSession, application: Application, params: PageParams
) -> tuple[Sequence[Interview], str | None]:
    return await paginate(
        session,
        select(Interview).where(Interview.application_id == application.id).options(*LOAD_OPTIONS),
        sort_column=Interview.starts_at,
        id_column=Interview.id,
        params=params,
    )


async def create_interview(
    session: AsyncSession, application: Application, data: InterviewCreate
) -> Interview:
    fields = data.model_dump(exclude={"interviewer_ids", "ends_at"})
    interview = Interview(
        owner_id=application.owner_id,
        application_id=application.id,
        ends_at=data.ends_at or data.starts_at + DEFAULT_LENGTH,
        **fields,
    )
    interview.interviewers = list(
        await interviewers_of_application(session, application.id, data.interviewer_ids)
    )
    session.add(interview)
    await session.flush()
    await emit(session, interview.owner_id, "interview.created", InterviewOut.of(interview))
    if application.status == ApplicationStatus.applied:
        # An interview means the process has moved on: the same status change (with its
        # `status_changed` event and webhooks) as a PATCH, from the API, pages or inbound.
        patch = ApplicationPatch(status=ApplicationStatus.interviewing)
        await update_application(session, application, patch)
    return interview


async def update_interview(
    session: AsyncSession, interview: Interview, data: InterviewPatch
) -> Interview:
    changes = data.changes()
    if "interviewer_ids" in changes:
        interview.interviewers = list(
            await interviewers_of_application(
                session, interview.application_id, changes.pop("interviewer_ids")
            )
        )
    apply_changes(interview, changes)
    if interview.ends_at <= interview.starts_at:
        raise Unprocessable(
            "ends_at must be after starts_at.",
            loc=["body", "ends_at" if "ends_at" in changes else "starts_at"],
        )
    if data.model_fields_set:
        interview.updated_at = utcnow()  # bumps version even if only the people changed
    await session.flush()
    if data.model_fields_set:  # an empty PATCH changes nothing, so announces nothing
        await emit(session, interview.owner_id, "interview.updated", InterviewOut.of(interview))
    return interview


async def delete_interview(session: AsyncSession, interview: Interview) -> None:
    await session.delete(interview)
    await session.flush()
    gone = DeletedChild(id=interview.id, application_id=interview.application_id)
    await emit(session, interview.owner_id, "interview.deleted", gone)
