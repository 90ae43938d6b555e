"""Restore an export document into an empty account, all or nothing.

Ids: every id is kept when none of them exists on this server yet (a move to another
server, or a restore after the account was emptied). When some are taken (the data
still exists, e.g. copying an account on the same server), primary keys are global,
so every item gets a fresh id, consistently: links between items follow. Dismissed
and snoozed next steps are keyed by recommendation ids derived from those ids, so
they are carried over by what they were about (`about` in the document).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, ProblemError
from app.models import (
    Application,
    Event,
    Interview,
    Interviewer,
    RecommendationState,
    Reference,
    User,
)
from app.models.base import utcnow
from app.policy import recommend
from app.portability.schemas import (
    ApplicationDoc,
    Document,
    ImportResult,
    InterviewDoc,
    RecommendationStateDoc,
)
from app.portability.validate import check_document, document_ids
from app.recommendations.loader import load_policy_input, user_input

ID_CHUNK = 1000
# Rows written per flush: an import holds about this many at a time, whatever its size.
FLUSH_ROWS = 2000
Remap = Callable[[uuid.UUID], uuid.UUID]


class ImportInvalid(ProblemError):
    status = 422


async def import_document(
    session: AsyncSession,
    user: User,
    doc: Document,
    *,
    loc_prefix: Sequence[str] = (),
) -> ImportResult:
    errors = check_document(doc)
    if errors:
        for error in errors:
            error["loc"] = [*loc_prefix, *error["loc"]]
        where = ", ".join(".".join(map(str, e["loc"])) for e in errors[:3])
        raise ImportInvalid(f"The document is not consistent: check {where}.", errors=errors)
    await _refuse_unless_empty(session, user)

    ids = document_ids(doc)
    kept = not await _any_taken(session, ids)
    fresh = {old: old if kept else uuid.uuid4() for old in ids}
    remap: Remap = fresh.__getitem__

    counts = await _add_items(session, user, doc, remap)
    user.name = doc.profile.name
    user.timezone = doc.profile.timezone
    await session.flush()
    restored, skipped = await _restore_states(session, user, doc.recommendation_states, remap, kept)
    return ImportResult(
        ids="kept" if kept else "remapped",
        recommendation_states=restored,
        skipped_recommendation_states=skipped,
        not_restored=[f"webhook {w.url}" for w in doc.webhooks]
        + [f"integration {i.name}" for i in doc.integrations],
        **counts,
    )


async def already_holds(session: AsyncSession, user: User) -> str | None:
    """What keeps the account from taking an import ("applications" or "references"),
    or None when it is empty enough."""
    for model, what in ((Application, "applications"), (Reference, "references")):
        if await session.scalar(select(model.id).where(model.owner_id == user.id).limit(1)):
            return what
    return None


async def _refuse_unless_empty(session: AsyncSession, user: User) -> None:
    what = await already_holds(session, user)
    if what is not None:
        raise Conflict(
            f"This account already has {what}: import only into an empty account "
            "(no applications or references yet)."
        )


async def _any_taken(session: AsyncSession, ids: Iterable[uuid.UUID]) -> bool:
    pending = sorted(ids, key=str)
    models = (Application, Interview, Interviewer, Event, Reference)
    for start in range(0, len(pending), ID_CHUNK):
        chunk = pending[start : start + ID_CHUNK]
        for model in models:
            if await session.scalar(select(model.id).where(model.id.in_(chunk)).limit(1)):
                return True
    return False


async def _add_items(
    session: AsyncSession, user: User, doc: Document, remap: Remap
) -> dict[str, int]:
    owner = user.id
    references = {
        ref.id: Reference(id=remap(ref.id), owner_id=owner, **ref.model_dump(exclude={"id"}))
        for ref in doc.references
    }
    session.add_all(references.values())
    counts = {"references": len(references), "applications": 0}
    counts |= {"interviewers": 0, "interviews": 0, "events": 0}
    batch: list[object] = []
    events: list[Event] = []
    for app_doc in doc.applications:
        application = Application(
            id=remap(app_doc.id),
            owner_id=owner,
            **app_doc.model_dump(exclude={"id", *ApplicationDoc.links}),
        )
        application.references = [references[r] for r in app_doc.reference_ids]
        people = {
            p.id: Interviewer(
                id=remap(p.id),
                owner_id=owner,
                application_id=application.id,
                **p.model_dump(exclude={"id"}),
            )
            for p in app_doc.interviewers
        }
        batch += [application, *people.values()]
        for i in app_doc.interviews:
            interview = Interview(
                id=remap(i.id),
                owner_id=owner,
                application_id=application.id,
                **i.model_dump(exclude={"id", *InterviewDoc.links}),
            )
            interview.interviewers = [people[p] for p in i.interviewer_ids]
            batch.append(interview)
        for e in app_doc.events:
            links = {
                field: None if value is None else remap(value)
                for field, value in (
                    ("interviewer_id", e.interviewer_id),
                    ("interview_id", e.interview_id),
                    ("reference_id", e.reference_id),
                )
            }
            fields = e.model_dump(exclude={"id", "interviewer_id", "interview_id", "reference_id"})
            events.append(
                Event(
                    id=remap(e.id),
                    owner_id=owner,
                    application_id=application.id,
                    **links,
                    **fields,
                )
            )
        counts["applications"] += 1
        counts["interviewers"] += len(people)
        counts["interviews"] += len(app_doc.interviews)
        counts["events"] += len(app_doc.events)
        if len(batch) + len(events) >= FLUSH_ROWS:
            await _write(session, batch, events)
            batch, events = [], []
    await _write(session, batch, events)
    return counts


async def _write(session: AsyncSession, batch: list[object], events: list[Event]) -> None:
    """Write a batch, then let it go: the transaction keeps it, memory needn't."""
    session.add_all(batch)
    # Events point at interviews and people by id only (no ORM relationship), so the
    # unit of work can't order them: write what they point at first.
    await session.flush()
    session.add_all(events)
    await session.flush()
    for row in (*batch, *events):
        session.expunge(row)


async def _restore_states(
    session: AsyncSession,
    user: User,
    states: Sequence[RecommendationStateDoc],
    remap: Remap,
    kept: bool,
) -> tuple[int, int]:
    """(restored, skipped). Decisions already in the account are overwritten."""
    if not states:
        return 0, 0
    if kept:
        new_ids = {s.recommendation_id: s.recommendation_id for s in states}
    else:
        new_ids = await _follow_targets(session, user, states, remap)
    existing = {
        s.recommendation_id: s
        for s in (
            await session.scalars(
                select(RecommendationState).where(RecommendationState.owner_id == user.id)
            )
        ).all()
    }
    restored = 0
    for state in states:
        rec_id = new_ids.get(state.recommendation_id)
        if rec_id is None:
            continue
        row = existing.get(rec_id)
        if row is None:
            row = RecommendationState(owner_id=user.id, recommendation_id=rec_id)
            session.add(row)
            existing[rec_id] = row
        row.dismissed_at = state.dismissed_at
        row.snoozed_until = state.snoozed_until
        restored += 1
    await session.flush()
    return restored, len(states) - restored


async def _follow_targets(
    session: AsyncSession, user: User, states: Sequence[RecommendationStateDoc], remap: Remap
) -> dict[str, str]:
    """Old recommendation id -> the id of the open step about the same (remapped) things."""
    applications, references = await load_policy_input(session, user.id)
    open_now = recommend(user_input(user), applications, references, utcnow())
    by_target = {
        (r.rule, r.application_id, r.interview_id, r.interviewer_id, r.reference_id): r.id
        for r in open_now
    }
    found: dict[str, str] = {}
    for state in states:
        about = state.about
        if about is None:
            continue
        try:
            key = (
                about.rule,
                *(
                    None if value is None else str(remap(value))
                    for value in (
                        about.application_id,
                        about.interview_id,
                        about.interviewer_id,
                        about.reference_id,
                    )
                ),
            )
        except KeyError:  # about something that isn't in the document
            continue
        if key in by_target:
            found[state.recommendation_id] = by_target[key]
    return found
