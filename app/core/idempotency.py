"""`Idempotency-Key` on POST: the first response is stored and replayed for 24 h.

Records are scoped to the caller (resolved from the bearer token), so two users
can never see each other's responses. A retry with the same key and a different
body is refused (422); a retry while the first request is still running gets 409,
until that request is two minutes old and counts as abandoned.
Unauthenticated POSTs (register, token) are not covered: there is no caller to
scope them to.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.service import user_id_for_token
from app.core.asgi import read_body, replay_body
from app.core.errors import problem_response
from app.models import IdempotencyRecord
from app.models.base import utcnow

logger = logging.getLogger("followup.idempotency")

REPLAY_WINDOW = timedelta(hours=24)
# A claim still unanswered after this was abandoned: its request died with the
# database (the record of its answer could not be written) or with the process.
# Without a takeover, the retry a 503 asks for would get 409 for a whole day.
ABANDONED_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 255
# Headers worth replaying; hop-by-hop and per-response ones (date, server) are not.
REPLAYED_HEADERS = ("content-type", "location", "etag", "link")


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key_raw = headers.get(b"idempotency-key")
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if key_raw is None or not auth.lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        key = key_raw.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            await problem_response(
                400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters."
            )(scope, receive, send)
            return
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        body = await read_body(receive)
        fingerprint = _fingerprint(scope, body)
        async with sessionmaker() as session:
            user_id = await user_id_for_token(session, auth[7:].strip())
            if user_id is None:  # let the route answer 401 as usual
                await self.app(scope, replay_body(body, receive), send)
                return
            answer = await _claim(session, user_id, key, fingerprint)
        if answer is not None:
            await answer(scope, receive, send)
            return

        captured = _Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = message["status"]
                captured.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured.body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body(body, receive), capture)
        finally:
            try:
                async with sessionmaker() as session:
                    await _finish(session, user_id, key, captured)
            except Exception as exc:
                # The database went away after the answer (or the error) was made. Raising
                # here would make the server drop a 201 it already sent, or hide the real
                # error; the claim left unanswered is taken over after ABANDONED_AFTER.
                logger.warning("could not record the answer to Idempotency-Key: %r", exc)


@dataclass
class _Captured:
    """The response as it streams out (500 if the app dies before it starts one)."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


async def _claim(
    session: AsyncSession, user_id: object, key: str, fingerprint: str
) -> ASGIApp | None:
    """Reserve the key, or return the response to answer with instead."""
    now = utcnow()
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.created_at < now - REPLAY_WINDOW:
        await session.delete(record)
        await session.flush()
        record = None
    if record is None:
        session.add(IdempotencyRecord(user_id=user_id, key=key, request_fingerprint=fingerprint))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return _in_progress()
        return None
    if record.request_fingerprint != fingerprint:
        return problem_response(
            422,
            "This Idempotency-Key was already used with a different request. "
            "Use a new key for a new request.",
            slug="idempotency-key-reused",
        )
    if record.status_code is None:
        if record.created_at < now - ABANDONED_AFTER and await _take_over(session, record, now):
            return None
        return _in_progress()
    return _Replay(record)


async def _take_over(session: AsyncSession, record: IdempotencyRecord, now: datetime) -> bool:
    """Claim an abandoned key for this retry; False if a concurrent retry got it first.

    If the abandoned request did commit its change before dying, the retry makes it
    again: the record is not in the change's transaction, so that case can't be told
    from one that changed nothing. It takes a crash between a commit and its answer.
    """
    taken = await session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record.id,
            IdempotencyRecord.status_code.is_(None),
            IdempotencyRecord.created_at < now - ABANDONED_AFTER,
        )
        .values(created_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(getattr(taken, "rowcount", 0) == 1)


def _in_progress() -> ASGIApp:
    return problem_response(
        409, "A request with this Idempotency-Key is still being processed.", slug="in-progress"
    )


async def _finish(session: AsyncSession, user_id: object, key: str, captured: _Captured) -> None:
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is not None:
        if captured.status >= 500:
            # A server error changed nothing: let the client retry with the same key.
            await session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id)
            )
        else:
            headers = {
                k.decode("latin-1"): v.decode("latin-1")
                for k, v in captured.headers
                if k.decode("latin-1").lower() in REPLAYED_HEADERS
            }
            record.status_code = captured.status
            record.response_headers = json.dumps(headers)
            record.response_body = captured.body
    await session.commit()


class _Replay:
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = json.loads(self.record.response_headers or "{}")
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"idempotent-replayed", b"true"))
        body = self.record.response_body or b""
        raw.append((b"content-length", str(len(body)).encode()))
        await send(
            {"type": "http.response.start", "status": self.record.status_code, "headers": raw}
        )
        await send({"type": "http.response.body", "body": body})


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(scope["method"].encode())
    digest.update(scope["path"].encode())
    digest.update(scope.get("query_string", b""))
    digest.update(body)
    return digest.hexdigest()
