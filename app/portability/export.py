"""Build the export document for one user, in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Application,
    Event,
    Integration,
    Interview,
    Interviewer,
    RecommendationState,
    Reference,
    User,
    WebhookSubscription,
    application_references,
    interview_interviewers,
)
from app.models.base import utcnow
from app.policy import Recommendation, recommend
from app.portability.schemas import (
    FORMAT,
    FORMAT_VERSION,
    ApplicationDoc,
    EventDoc,
    ExportDocument,
    IntegrationDoc,
    InterviewDoc,
    InterviewerDoc,
    ProfileDoc,
    ReferenceDoc,
    Row,
    WebhookDoc,
)
from app.recommendations.loader import load_policy_input, user_input


def _columns(doc: type[Row]) -> tuple[str, ...]:
    """The fields `doc` copies from its row, by name (ExportDocument puts them in order)."""
    return tuple(name for name in doc.model_fields if name not in doc.links)


PROFILE_FIELDS = _columns(ProfileDoc)
REFERENCE_FIELDS = _columns(ReferenceDoc)
APPLICATION_FIELDS = _columns(ApplicationDoc)
INTERVIEWER_FIELDS = _columns(InterviewerDoc)
INTERVIEW_FIELDS = _columns(InterviewDoc)
EVENT_FIELDS = _columns(EventDoc)
WEBHOOK_FIELDS = _columns(WebhookDoc)
INTEGRATION_FIELDS = _columns(IntegrationDoc)


def _pick(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


async def export_document(session: AsyncSession, user: User) -> ExportDocument:
    owned = user.id
    references = await _rows(session, Reference, owned)
    applications = await _rows(session, Application, owned)
    interviewers = await _rows(session, Interviewer, owned)
    interviews = await _rows(session, Interview, owned)
    events = await _rows(session, Event, owned)
    listed = await _pairs(
        session,
        application_references.c.application_id,
        application_references.c.reference_id,
        Application,
        owned,
    )
    met = await _pairs(
        session,
        interview_interviewers.c.interview_id,
        interview_interviewers.c.interviewer_id,
        Interview,
        owned,
    )

    by_application: dict[uuid.UUID, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {"interviewers": [], "interviews": [], "events": []}
    )
    for person in interviewers:
        by_application[person.application_id]["interviewers"].append(
            _pick(person, INTERVIEWER_FIELDS)
        )
    for interview in interviews:
        by_application[interview.application_id]["interviews"].append(
            {**_pick(interview, INTERVIEW_FIELDS), "interviewer_ids": met[interview.id]}
        )
    for event in events:
        by_application[event.application_id]["events"].append(_pick(event, EVENT_FIELDS))

    return ExportDocument.model_validate(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": utcnow(),
            "profile": _pick(user, PROFILE_FIELDS),
            "references": [_pick(r, REFERENCE_FIELDS) for r in references],
            "applications": [
                {
                    **_pick(a, APPLICATION_FIELDS),
                    "reference_ids": listed[a.id],
                    **by_application[a.id],
                }
                for a in applications
            ],
            "recommendation_states": await _recommendation_states(session, user),
            "webhooks": [
                _pick(w, WEBHOOK_FIELDS) for w in await _rows(session, WebhookSubscription, owned)
            ],
            "integrations": [
                _pick(i, INTEGRATION_FIELDS) for i in await _rows(session, Integration, owned)
            ],
        }
    )


async def _rows(session: AsyncSession, model: Any, owner_id: uuid.UUID) -> list[Any]:
    """Oldest first (ties by id): the order things were created in, the same every time."""
    order = [model.created_at, model.id]
    if model is Event:
        order.insert(0, model.occurred_at)  # a timeline reads in the order things happened
    stmt = select(model).where(model.owner_id == owner_id).order_by(*order)
    return list((await session.scalars(stmt)).all())


async def _pairs(
    session: AsyncSession, parent_col: Any, child_col: Any, parent: Any, owner_id: uuid.UUID
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Link-table rows as parent id -> sorted child ids."""
    rows = await session.execute(
        select(parent_col, child_col)
        .join(parent, parent.id == parent_col)
        .where(parent.owner_id == owner_id)
    )
    grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for parent_id, child_id in rows.all():
        grouped[parent_id].append(child_id)
    return defaultdict(list, {k: sorted(v, key=str) for k, v in grouped.items()})


async def _recommendation_states(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    states = (
        await session.scalars(
            select(RecommendationState)
            .where(RecommendationState.owner_id == user.id)
            .order_by(RecommendationState.created_at, RecommendationState.id)
        )
    ).all()
    if not states:
        return []
    applications, references = await load_policy_input(session, user.id)
    open_now = {r.id: r for r in recommend(user_input(user), applications, references, utcnow())}
    return [
        {
            "recommendation_id": s.recommendation_id,
            "dismissed_at": s.dismissed_at,
            "snoozed_until": s.snoozed_until,
            "about": _target(open_now.get(s.recommendation_id)),
        }
        for s in states
    ]


def _target(rec: Recommendation | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {
        "rule": rec.rule,
        "application_id": rec.application_id,
        "interview_id": rec.interview_id,
        "interviewer_id": rec.interviewer_id,
        "reference_id": rec.reference_id,
    }
