"""The export document for one user, streamed: read in batches, encoded piece by piece.

Constant memory whatever the account's size (a batch of applications with their people
and interviews, and one application's events at a time), and the event loop is free
between pieces. The bytes are the `ExportDocument` model's own JSON: each item is
encoded by its model, into the frame of an `ExportDocument` whose lists are empty.
All of it is read in one snapshot, so the document is consistent even while the
account changes (`read_snapshot`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import read_snapshot
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
    RecommendationStateDoc,
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


LISTS = ("references", "applications", "recommendation_states", "webhooks", "integrations")
# Rows read per query, and applications per batch of child queries.
BATCH = 200
# Bytes gathered before a piece is handed to the server (and the loop gets a turn).
PIECE_BYTES = 64 * 1024


async def export_pieces(
    sessions: async_sessionmaker[AsyncSession], user: User
) -> AsyncIterator[bytes]:
    """The export document of `user`, in pieces of about PIECE_BYTES."""
    frame = _frame(user)
    async with read_snapshot(sessions) as session:
        out = _Pieces()
        out.add(frame[0])
        async for item in _items(session, Reference, user.id, ReferenceDoc, REFERENCE_FIELDS):
            if out.item(item):
                yield await out.take()
        out.add(frame[1])
        async for piece in _applications(session, user.id):
            if out.add(piece):
                yield await out.take()
        out.add(frame[2])
        for state in await _recommendation_states(session, user):
            out.item(RecommendationStateDoc.model_validate(state).model_dump_json().encode())
        out.add(frame[3])
        async for item in _items(session, WebhookSubscription, user.id, WebhookDoc, WEBHOOK_FIELDS):
            out.item(item)
        out.add(frame[4])
        async for item in _items(session, Integration, user.id, IntegrationDoc, INTEGRATION_FIELDS):
            out.item(item)
        out.add(frame[5])
        yield await out.take()


def _frame(user: User) -> list[bytes]:
    """The document with empty lists, cut where each list's items go."""
    empty = ExportDocument.model_validate(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": utcnow(),
            "profile": _pick(user, PROFILE_FIELDS),
        }
    )
    return _cut(empty.model_dump_json().encode(), LISTS)


def _cut(encoded: bytes, names: Sequence[str]) -> list[bytes]:
    """`encoded` cut right after `"name":[` for each of `names` (each empty, in order)."""
    pieces: list[bytes] = []
    rest = encoded
    for name in names:
        before, marker, rest = rest.partition(b'"' + name.encode() + b'":[')
        if not marker or not rest.startswith(b"]"):
            raise AssertionError(f"{name} is not an empty list in {encoded[:200]!r}")
        pieces.append(before + marker)
    return [*pieces, rest]


class _Pieces:
    """Items of JSON lists gathered into pieces: a comma before all but a list's first."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.first = True

    def add(self, raw: bytes) -> bool:
        """Bytes as they are (a list's end, the next one's start: the next item is a
        list's first); True when a piece is full."""
        self.parts.append(raw)
        self.size += len(raw)
        self.first = True
        return self.size >= PIECE_BYTES

    def item(self, encoded: bytes) -> bool:
        """Add one item; True when a piece is full."""
        if not self.first:
            self.parts.append(b",")
        self.parts.append(encoded)
        self.size += len(encoded) + 1
        self.first = False
        return self.size >= PIECE_BYTES

    async def take(self) -> bytes:
        piece = b"".join(self.parts)
        self.parts, self.size = [], 0
        await asyncio.sleep(0)  # a turn for every other request before the next piece
        return piece


async def _items(
    session: AsyncSession, model: Any, owner_id: uuid.UUID, doc: type[Row], fields: tuple[str, ...]
) -> AsyncIterator[bytes]:
    """Each row of `model`, oldest first (ties by id), encoded as `doc`."""
    stmt = select(model).where(model.owner_id == owner_id).order_by(model.created_at, model.id)
    async for row in await session.stream_scalars(stmt.execution_options(yield_per=BATCH)):
        yield doc.model_validate(_pick(row, fields)).model_dump_json().encode()


async def _applications(session: AsyncSession, owner_id: uuid.UUID) -> AsyncIterator[bytes]:
    """The applications' list items, commas included, in pieces: each application but
    its events, then its events one by one, then its end."""
    stmt = (
        select(Application)
        .where(Application.owner_id == owner_id)
        .order_by(Application.created_at, Application.id)
        .execution_options(yield_per=BATCH)
    )
    comma = b""
    async for batch in (await session.stream_scalars(stmt)).partitions():
        ids = [a.id for a in batch]
        listed = await _pairs(
            session,
            application_references.c.application_id,
            application_references.c.reference_id,
            ids,
        )
        interviewers = await _children(session, Interviewer, ids)
        interviews = await _children(session, Interview, ids)
        met = await _pairs(
            session,
            interview_interviewers.c.interview_id,
            interview_interviewers.c.interviewer_id,
            [i.id for group in interviews.values() for i in group],
        )
        events = events_in_order(session, ids)
        event = await anext(events, None)
        for application in batch:
            head = ApplicationDoc.model_validate(
                {
                    **_pick(application, APPLICATION_FIELDS),
                    "reference_ids": listed[application.id],
                    "interviewers": [
                        _pick(p, INTERVIEWER_FIELDS) for p in interviewers[application.id]
                    ],
                    "interviews": [
                        {**_pick(i, INTERVIEW_FIELDS), "interviewer_ids": met[i.id]}
                        for i in interviews[application.id]
                    ],
                }
            )
            start, end = _cut(head.model_dump_json().encode(), ("events",))
            yield comma + start
            comma, between = b",", b""
            while event is not None and event.application_id == application.id:
                doc = EventDoc.model_validate(_pick(event, EVENT_FIELDS))
                yield between + doc.model_dump_json().encode()
                between = b","
                event = await anext(events, None)
            yield end
        if event is not None:
            raise AssertionError("an event outside the applications it was read for")


async def _children(
    session: AsyncSession, model: Any, application_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    """The rows of `model` under these applications, oldest first, by application."""
    stmt = (
        select(model)
        .where(model.application_id.in_(application_ids))
        .order_by(model.created_at, model.id)
    )
    grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in await session.scalars(stmt):
        grouped[row.application_id].append(row)
    return grouped


async def events_in_order(
    session: AsyncSession,
    application_ids: Sequence[uuid.UUID],
    types: Sequence[str] | None = None,
) -> AsyncIterator[Any]:
    """The events of these applications (of these `types`), through a cursor: grouped
    by application, in the applications' order, each one's in the order they happened
    (a timeline reads in that order). Rows of EVENT_FIELDS and `application_id`."""
    columns = [getattr(Event, name) for name in EVENT_FIELDS]
    stmt = (
        select(*columns, Event.application_id.label("application_id"))
        .join(Application, Application.id == Event.application_id)
        .where(Event.application_id.in_(application_ids))
        .order_by(
            Application.created_at, Application.id, Event.occurred_at, Event.created_at, Event.id
        )
        .execution_options(yield_per=BATCH)
    )
    if types is not None:
        stmt = stmt.where(Event.type.in_(types))
    async for row in await session.stream(stmt):
        yield row


async def _pairs(
    session: AsyncSession, parent_col: Any, child_col: Any, parent_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Link-table rows as parent id -> sorted child ids."""
    grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not parent_ids:
        return grouped
    rows = await session.execute(select(parent_col, child_col).where(parent_col.in_(parent_ids)))
    for parent_id, child_id in rows.all():
        grouped[parent_id].append(child_id)
    for children in grouped.values():
        children.sort(key=str)
    return grouped


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
