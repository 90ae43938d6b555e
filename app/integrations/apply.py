"""What an inbound event does to the user's data, through the same services as the API.

Everything is an upsert keyed by the integration's own ids, so a tool that sends the
same news twice (under a new webhook-id) changes nothing the second time. Going through
the services means status changes leave `status_changed` events and webhooks fire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationCreate, ApplicationPatch
from app.applications.service import LOAD_OPTIONS, create_application, update_application
from app.core.errors import Unprocessable
from app.integrations.inbound_schemas import (
    ApplicationData,
    ApplicationRef,
    InboundType,
    InterviewCancelledData,
    InterviewRef,
    InterviewScheduledData,
    PersonRef,
    ReferencesRequestedData,
    StageChangedData,
)
from app.interviews.schemas import InterviewCreate, InterviewPatch
from app.interviews.service import (
    DEFAULT_LENGTH,
    create_interview,
    delete_interview,
    get_interview,
    update_interview,
)
from app.models import Application, ExternalInterview, Integration, Interviewer, User
from app.models.enums import ApplicationStatus
from app.people.interviewer_service import create_interviewer, update_interviewer
from app.people.schemas import InterviewerCreate, InterviewerPatch

# What the first event about an application must give: what ApplicationCreate requires.
NEEDED_FIRST = tuple(name for name, f in ApplicationCreate.model_fields.items() if f.is_required())
# The status each event implies (interview.scheduled only moves an `applied` one on).
STATUS_OF: dict[InboundType, ApplicationStatus] = {
    "application.rejected": ApplicationStatus.rejected,
    "offer.extended": ApplicationStatus.offer,
}


async def apply_event(
    session: AsyncSession,
    integration: Integration,
    user: User,
    event_type: InboundType,
    data: ApplicationData,
    *,
    now: datetime,
) -> None:
    application = await upsert_application(session, integration, user, data.application)
    if isinstance(data, InterviewScheduledData):
        await upsert_interview(session, integration, application, data.interview)
        if application.status == ApplicationStatus.applied:
            await _patch(session, application, {"status": ApplicationStatus.interviewing})
    elif isinstance(data, InterviewCancelledData):
        await cancel_interview(session, integration, application, data.interview.external_id)
    elif isinstance(data, StageChangedData):
        await _patch(session, application, {"status": data.status})
    elif isinstance(data, ReferencesRequestedData):
        await _patch(session, application, {"references_requested_at": data.requested_at or now})
    elif event_type in STATUS_OF:
        await _patch(session, application, {"status": STATUS_OF[event_type]})


async def upsert_application(
    session: AsyncSession, integration: Integration, user: User, ref: ApplicationRef
) -> Application:
    application = await session.scalar(
        select(Application)
        .where(
            Application.owner_id == user.id,
            Application.source == integration.name,
            Application.external_id == ref.external_id,
        )
        .options(*LOAD_OPTIONS)
    )
    fields = ref.model_dump(exclude={"external_id"}, exclude_none=True)
    if application is not None:
        return await _patch(session, application, fields)
    missing = [name for name in NEEDED_FIRST if name not in fields]
    if missing:
        raise Unprocessable(
            f"{' and '.join(missing)} must be given the first time an application is sent.",
            loc=["body", "data", "application", missing[0]],
        )
    data = ApplicationCreate.model_validate({**fields, "external_id": ref.external_id})
    return await create_application(session, user, data, source=integration.name)


async def _patch(
    session: AsyncSession, application: Application, fields: dict[str, Any]
) -> Application:
    """Update only what differs, so a repeated event bumps no version and fires no webhook."""
    changed = {k: v for k, v in fields.items() if getattr(application, k) != v}
    if not changed:
        return application
    return await update_application(session, application, ApplicationPatch.model_validate(changed))


async def upsert_interview(
    session: AsyncSession, integration: Integration, application: Application, ref: InterviewRef
) -> None:
    people = await _match_people(session, application, ref.interviewers)
    ends_at = ref.ends_at or ref.starts_at + DEFAULT_LENGTH
    mapping = await _mapping(session, integration, ref.external_id)
    if mapping is None:
        interview = await create_interview(
            session,
            application,
            InterviewCreate(
                starts_at=ref.starts_at,
                ends_at=ends_at,
                kind=ref.kind,
                interviewer_ids=[p.id for p in people],
            ),
        )
        session.add(
            ExternalInterview(
                integration_id=integration.id,
                external_id=ref.external_id,
                interview_id=interview.id,
            )
        )
        await session.flush()
        return
    interview = await get_interview(session, application.owner_id, mapping.interview_id)
    if interview.application_id != application.id:
        raise Unprocessable(
            "This interview external_id belongs to another application.",
            loc=["body", "data", "interview", "external_id"],
        )
    changes: dict[str, Any] = {}
    if interview.starts_at != ref.starts_at:
        changes["starts_at"] = ref.starts_at
    if interview.ends_at != ends_at:
        changes["ends_at"] = ends_at
    if ref.kind is not None and interview.kind != ref.kind:
        changes["kind"] = ref.kind
    # An empty list means "not told", not "nobody": keep the people the user linked.
    if people and {p.id for p in people} != {i.id for i in interview.interviewers}:
        changes["interviewer_ids"] = [p.id for p in people]
    if changes:
        await update_interview(session, interview, InterviewPatch.model_validate(changes))


async def cancel_interview(
    session: AsyncSession, integration: Integration, application: Application, external_id: str
) -> None:
    """Delete the interview it stands for; unknown ones (or already gone) are fine."""
    mapping = await _mapping(session, integration, external_id)
    if mapping is None:
        return
    interview = await get_interview(session, application.owner_id, mapping.interview_id)
    if interview.application_id == application.id:
        await delete_interview(session, interview)  # the mapping goes with it (CASCADE)


async def _mapping(
    session: AsyncSession, integration: Integration, external_id: str
) -> ExternalInterview | None:
    mapping: ExternalInterview | None = await session.scalar(
        select(ExternalInterview).where(
            ExternalInterview.integration_id == integration.id,
            ExternalInterview.external_id == external_id,
        )
    )
    return mapping


async def _match_people(
    session: AsyncSession, application: Application, people: list[PersonRef]
) -> list[Interviewer]:
    """The application's interviewers for these people, created or completed as needed."""
    known = list(
        (
            await session.scalars(
                select(Interviewer).where(Interviewer.application_id == application.id)
            )
        ).all()
    )
    matched: dict[object, Interviewer] = {}
    for person in people:
        interviewer = _find(known, person)
        if interviewer is None:
            data = InterviewerCreate(name=person.name, title=person.title, email=person.email)
            interviewer = await create_interviewer(session, application, data)
            known.append(interviewer)
        else:
            updates = {
                field: value
                for field, value in (("title", person.title), ("email", person.email))
                if value is not None and getattr(interviewer, field) != value
            }
            if updates:
                patch = InterviewerPatch.model_validate(updates)
                interviewer = await update_interviewer(session, interviewer, patch)
        matched[interviewer.id] = interviewer
    return list(matched.values())


def _find(known: list[Interviewer], person: PersonRef) -> Interviewer | None:
    email = person.email.lower() if person.email else None
    if email:
        for interviewer in known:
            if interviewer.email and interviewer.email.lower() == email:
                return interviewer
    name = person.name.casefold()
    for interviewer in known:
        same_person = email is None or interviewer.email is None
        if same_person and interviewer.name.casefold() == name:
            return interviewer
    return None
