"""/recommendations: what to do next, and done / dismiss / snooze."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response, status
from pydantic_core import to_json

from app.applications.deps import OwnedApplication
from app.applications.schemas import ApplicationOut
from app.applications.service import get_application
from app.auth.deps import CurrentUser
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.core.ids import parse_id
from app.core.types import Timestamp
from app.events.schemas import EventOut
from app.models.base import utcnow
from app.policy.horizon import MOVES_WITH_AS_OF
from app.recommendations import service
from app.recommendations.cache import Steps
from app.recommendations.schemas import (
    Completed,
    CompleteIn,
    RecommendationList,
    SnoozeIn,
    recommendation_json,
)

router = APIRouter(
    route_class=TransactionRoute, tags=["recommendations"], responses=error_responses(401, 422)
)


async def open_recommendation(
    recommendation_id: str, user: CurrentUser, session: SessionDep
) -> service.OpenRecommendation:
    """Load-or-404, before the body is even looked at: a foreign id is just unknown."""
    return await service.find_open_recommendation(session, user, recommendation_id, as_of=utcnow())


OpenRecommendation = Annotated[service.OpenRecommendation, Depends(open_recommendation)]

AsOf = Annotated[
    Timestamp | None,
    Query(description="Evaluate as of this time (with an offset); defaults to now."),
]


def _listing(as_of: datetime, steps: Steps, application_id: uuid.UUID | None = None) -> Response:
    # Serialised straight from the engine's dataclasses by pydantic-core, each step once per
    # cache entry: building and validating a model per step cost more than the engine itself
    # for a user with many applications. The route declares RecommendationList as its
    # response model, so the schema documents this shape (a test validates responses).
    parts = []
    for rec in service.steps_at(steps, as_of, application_id):
        part = steps.json.get(rec.id)
        if part is None:
            part = to_json(recommendation_json(rec))
            if rec.rule != MOVES_WITH_AS_OF:
                steps.json[rec.id] = part
        parts.append(part)
    body = b'{"as_of":' + to_json(as_of) + b',"items":[' + b",".join(parts) + b"]}"
    return Response(body, media_type="application/json")


@router.get(
    "/recommendations",
    operation_id="listRecommendations",
    response_model=RecommendationList,
    responses=error_responses(404),
)
async def list_recommendations(
    user: CurrentUser,
    session: SessionDep,
    as_of: AsOf = None,
    application_id: Annotated[
        str | None, Query(description="Only this application's next steps.")
    ] = None,
) -> Response:
    """Every open next step, ordered by due time. Not paginated."""
    moment = as_of or utcnow()
    app_id = None
    if application_id is not None:
        app_id = parse_id(application_id, "application")
        await get_application(session, user.id, app_id)  # 404 unless it's yours
    steps = await service.open_steps(session, user, moment)
    return _listing(moment, steps, app_id)


@router.get(
    "/applications/{application_id}/recommendations",
    operation_id="listApplicationRecommendations",
    response_model=RecommendationList,
    responses=error_responses(404),
)
async def list_application_recommendations(
    application: OwnedApplication, user: CurrentUser, session: SessionDep, as_of: AsOf = None
) -> Response:
    moment = as_of or utcnow()
    steps = await service.open_steps(session, user, moment)
    return _listing(moment, steps, application.id)


@router.post(
    "/recommendations/{recommendation_id}/complete",
    operation_id="completeRecommendation",
    responses=error_responses(404, 409),
)
async def complete_recommendation(
    found: OpenRecommendation,
    user: CurrentUser,
    session: SessionDep,
    data: Annotated[CompleteIn | None, Body()] = None,
) -> Completed:
    """Do what completes the step: record its event, or set the application's status.

    Steps that need more than a click (adding an interviewer, listing a reference,
    applying somewhere new) answer 409 with what to do instead.
    """
    data = data or CompleteIn()
    result = await service.complete_recommendation(
        session,
        user,
        found,
        as_of=utcnow(),
        occurred_at=data.occurred_at,
        notes=data.notes,
    )
    return Completed(
        recommendation_id=found.recommendation.id,
        event=None if result.event is None else EventOut.model_validate(result.event),
        application=None if result.application is None else ApplicationOut.of(result.application),
    )


@router.post(
    "/recommendations/{recommendation_id}/dismiss",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="dismissRecommendation",
    responses=error_responses(404),
)
async def dismiss_recommendation(
    found: OpenRecommendation, user: CurrentUser, session: SessionDep
) -> None:
    """Hide it for good (until the situation changes and a new step opens)."""
    await service.dismiss_recommendation(session, user, found)


@router.post(
    "/recommendations/{recommendation_id}/snooze",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="snoozeRecommendation",
    responses=error_responses(404),
)
async def snooze_recommendation(
    found: OpenRecommendation, data: SnoozeIn, user: CurrentUser, session: SessionDep
) -> None:
    """Hide it while as_of is before `until`."""
    await service.snooze_recommendation(session, user, found, until=data.until)
