"""Open next steps for a user, and what the user does about them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.schemas import ApplicationPatch
from app.applications.service import get_application, update_application
from app.core.errors import Conflict, NotFound, Unprocessable
from app.events.schemas import EventCreate
from app.events.service import record_event
from app.models import Application, Event, RecommendationState, User
from app.models.base import utcnow
from app.policy import ApplicationIn, Recommendation, recommend
from app.policy.horizon import redate, stable_until
from app.recommendations.cache import Steps, Version, step_cache
from app.recommendations.loader import load_policy_input, load_policy_inputs, user_input


@dataclass(frozen=True, slots=True)
class CompletionResult:
    event: Event | None
    application: Application | None


async def _evaluate(
    session: AsyncSession, user: User, as_of: datetime
) -> tuple[list[ApplicationIn], list[Recommendation], dict[str, RecommendationState]]:
    applications, references = await load_policy_input(session, user.id)
    states = {
        s.recommendation_id: s
        for s in (
            await session.scalars(
                select(RecommendationState).where(RecommendationState.owner_id == user.id)
            )
        ).all()
    }
    return applications, recommend(user_input(user), applications, references, as_of), states


async def open_steps(session: AsyncSession, user: User, as_of: datetime) -> Steps:
    """The user's open steps, visible and snoozed: from this process's cache if they hold.

    Call it before the request writes anything: the version it checks is the one read with
    the user at the start of the request.
    """
    version = Version(user.data_version, user.name, user.timezone)
    cached = step_cache.get(user.id, version, as_of)
    if cached is not None:
        return cached
    applications, recs, states = await _evaluate(session, user, as_of)
    steps = _steps(user, applications, recs, states, as_of)
    # Keep them only if nothing was committed for this user while they were being read:
    # each query sees the latest commit, so a write between two of them could otherwise
    # leave a mix of before and after stored under the old version.
    current = await session.scalar(select(User.data_version).where(User.id == user.id))
    if current == version.data_version:
        step_cache.put(user.id, steps)
    return steps


async def open_steps_for(
    session: AsyncSession, users: Sequence[User], as_of: datetime
) -> dict[uuid.UUID, Steps]:
    """open_steps for a batch of users in eight queries, whatever their number.

    For the scheduler, which holds these users' rows locked: a write to their data commits
    only after it, and its trigger then marks them to be looked at again. So nothing is
    checked against data_version, and nothing goes into the cache.
    """
    inputs = await load_policy_inputs(session, [user.id for user in users])
    states: dict[uuid.UUID, dict[str, RecommendationState]] = defaultdict(dict)
    for state in await session.scalars(
        select(RecommendationState).where(
            RecommendationState.owner_id.in_([user.id for user in users])
        )
    ):
        states[state.owner_id][state.recommendation_id] = state
    result = {}
    for user in users:
        applications, references = inputs.get(user.id, ([], []))
        recs = recommend(user_input(user), applications, references, as_of)
        result[user.id] = _steps(user, applications, recs, states[user.id], as_of)
    return result


def _steps(
    user: User,
    applications: list[ApplicationIn],
    recs: list[Recommendation],
    states: Mapping[str, RecommendationState],
    as_of: datetime,
) -> Steps:
    """The engine's answer without what the user dismissed, snoozed ones apart, and until
    when it holds."""
    version = Version(user.data_version, user.name, user.timezone)
    end = stable_until(user_input(user), applications, as_of, recs)
    visible: list[Recommendation] = []
    snoozed: list[Recommendation] = []
    for rec in recs:
        state = states.get(rec.id)
        if state is None:
            visible.append(rec)
        elif state.dismissed_at is not None:
            continue
        elif state.snoozed_until is not None and as_of < state.snoozed_until:
            snoozed.append(rec)
            end = min(end, state.snoozed_until)  # it reappears then
        else:
            visible.append(rec)
    return Steps(version, as_of, end, visible, snoozed)


def steps_at(
    steps: Steps, as_of: datetime, application_id: uuid.UUID | None = None
) -> list[Recommendation]:
    """The steps as they read at as_of (inside their span), optionally for one application."""
    recs = redate(steps.visible, as_of)
    if application_id is None:
        return recs
    wanted = str(application_id)
    return [rec for rec in recs if rec.application_id == wanted]


async def list_recommendations(
    session: AsyncSession,
    user: User,
    *,
    as_of: datetime,
    application_id: uuid.UUID | None = None,
) -> list[Recommendation]:
    """Every open next step, ordered by due time, without dismissed or snoozed ones."""
    # All applications are loaded even for one: withdraw_gracefully and keep_applying
    # depend on the user's other applications.
    return steps_at(await open_steps(session, user, as_of), as_of, application_id)


@dataclass(frozen=True, slots=True)
class OpenRecommendation:
    """A recommendation open at as_of, with the user's stored decision about it, if any."""

    recommendation: Recommendation
    state: RecommendationState | None


async def find_open_recommendation(
    session: AsyncSession, user: User, recommendation_id: str, *, as_of: datetime
) -> OpenRecommendation:
    """An open recommendation (snoozed ones count; dismissed ones are gone for good), or 404."""
    steps = await open_steps(session, user, as_of)
    found = next((r for r in (*steps.visible, *steps.snoozed) if r.id == recommendation_id), None)
    if found is None:
        raise NotFound("open recommendation")
    state = await session.scalar(
        select(RecommendationState).where(
            RecommendationState.owner_id == user.id,
            RecommendationState.recommendation_id == recommendation_id,
        )
    )
    return OpenRecommendation(redate([found], as_of)[0], state)


async def complete_recommendation(
    session: AsyncSession,
    user: User,
    found: OpenRecommendation,
    *,
    as_of: datetime,
    occurred_at: datetime | None = None,
    notes: str | None = None,
) -> CompletionResult:
    """Do what closes the step: record its event, or set the application's status."""
    rec = found.recommendation
    completion = rec.completion
    if completion.kind == "manual" or rec.application_id is None:
        raise Conflict(completion.hint or "This step can't be completed in one click.")
    application = await get_application(session, user.id, uuid.UUID(rec.application_id))
    result: CompletionResult
    if completion.kind == "status":
        assert completion.status is not None
        patch = ApplicationPatch.model_validate({"status": completion.status})
        result = CompletionResult(None, await update_application(session, application, patch))
    else:
        data = EventCreate.model_validate(
            {
                "type": completion.event_type,
                "occurred_at": occurred_at,
                "interviewer_id": completion.interviewer_id,
                "interview_id": completion.interview_id,
                "reference_id": completion.reference_id,
                "channel": completion.channel,
                "notes": notes,
            }
        )
        event = await record_event(session, application, data)
        result = CompletionResult(event, application if event.type == "withdrawal" else None)
    # A back-dated event can fall outside the window that would close the step (a
    # thank-you "sent" before the interview started); refuse rather than pretend.
    # Computed afresh: the cache's version predates this request's write.
    _, still_open, _ = await _evaluate(session, user, max(as_of, utcnow()))
    if any(r.id == rec.id for r in still_open):
        raise Unprocessable(
            "That wouldn't complete this step: check occurred_at.", loc=["body", "occurred_at"]
        )
    return result


def _state_for(user: User, found: OpenRecommendation) -> RecommendationState:
    return found.state or RecommendationState(
        owner_id=user.id, recommendation_id=found.recommendation.id
    )


async def dismiss_recommendation(
    session: AsyncSession, user: User, found: OpenRecommendation
) -> None:
    state = _state_for(user, found)
    state.dismissed_at = utcnow()
    session.add(state)
    await session.flush()


async def snooze_recommendation(
    session: AsyncSession, user: User, found: OpenRecommendation, *, until: datetime
) -> RecommendationState:
    if until <= utcnow():
        raise Unprocessable("Snooze until a time in the future.", loc=["body", "until"])
    state = _state_for(user, found)
    state.snoozed_until = until
    session.add(state)
    await session.flush()
    return state
