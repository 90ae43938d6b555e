"""`Idempotency-Key` on POST: the first answer is stored and replayed for 24 h.

The key is claimed, the change is made and the answer is stored in one transaction,
the request's own (app/core/db.py's `TransactionRoute` ends it), and that transaction
commits before the answer is sent. So:

- a retry that arrives the moment the first answer did finds the stored answer and
  gets it again (never a 409);
- whatever dies where (the request, the process, the database mid-commit), the claim,
  the change and the answer are all there or none is: a key never changes anything
  twice, and a retry after a failure makes the change once;
- an answer that is an error raised by the route rolls everything back, claim
  included, so a retry runs again.

Records are scoped to the caller, so two users never see each other's answers; the
claim is made where the caller becomes known (`claim_idempotency_key`, from
app/auth/deps.py). A POST without a caller (register, token, inbound) isn't covered.
A retry with the same key and another request is refused (422). While the first
request still runs, a retry gets 409: on PostgreSQL it finds the key's advisory lock
taken; on SQLite, whose write transactions run one at a time, it waits for the first
to end and then gets its answer.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest, Conflict, ProblemError
from app.models import IdempotencyRecord
from app.models.base import utcnow

REPLAY_WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Headers worth replaying; hop-by-hop and per-response ones (date, server) are not.
REPLAYED_HEADERS = ("content-type", "location", "etag", "link")
_CLAIM = "idempotency_claim"  # in the request's state, once the key is claimed
_SECRET = "idempotency_secret"  # in the request's state: what a replay leaves out


class KeyReused(ProblemError):
    status = 422
    slug = "idempotency-key-reused"


class InProgress(Conflict):
    slug = "in-progress"


@dataclass(frozen=True, slots=True)
class _Claim:
    user_id: uuid.UUID
    key: str
    fingerprint: str


class Replay(Exception):
    """Raised instead of running the route: the stored answer is the response."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(record.key)
        # Copied out: the record is gone with the session once the route rolls back.
        self.status = record.status_code or 200
        self.headers: dict[str, str] = json.loads(record.response_headers or "{}")
        self.body = record.response_body or b""

    def response(self) -> Response:
        headers = {**self.headers, "idempotent-replayed": "true"}
        return Response(content=self.body, status_code=self.status, headers=headers)


async def claim_idempotency_key(
    request: Request, session: AsyncSession, user_id: uuid.UUID
) -> None:
    """Claim the request's Idempotency-Key for `user_id` in the request's transaction.

    Raises `Replay` with the stored answer to a request made with this key before,
    `KeyReused` if that request was another one, `InProgress` if it is still running.
    """
    if request.method != "POST":
        return
    raw = request.headers.get("idempotency-key")
    if raw is None:
        return
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    fingerprint = _fingerprint(request, await request.body())
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Held until the transaction ends: a second request with this key meanwhile
        # is the same request still running.
        locked = await session.scalar(
            select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"{user_id}:{key}", 0)))
        )
        if not locked:
            raise InProgress("A request with this Idempotency-Key is still being processed.")
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is not None:
        if record.created_at >= utcnow() - REPLAY_WINDOW and record.status_code is not None:
            if record.request_fingerprint != fingerprint:
                raise KeyReused(
                    "This Idempotency-Key was already used with a different request. "
                    "Use a new key for a new request."
                )
            raise Replay(record)
        # Past its window, or a claim without an answer (only rows stored before claims
        # moved into the change's transaction can be one): the key is free again.
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
    request.scope.setdefault("state", {})[_CLAIM] = _Claim(user_id, key, fingerprint)


def keep_secret(request: Request, *fields: str, headers: tuple[str, ...] = ()) -> None:
    """Say that this answer issues a secret: the stored copy, and so a replay, has
    these body fields `null` and leaves these headers out. A secret is shown once,
    and the idempotency table is no place to keep one."""
    request.scope.setdefault("state", {})[_SECRET] = (fields, headers)


def claimed(request: Request) -> bool:
    return _CLAIM in request.scope.get("state", {})


async def store_answer(request: Request, session: AsyncSession, response: Response) -> None:
    """Store `response` as the answer to the request's claimed key, if it claimed one.

    Called by the route in the request's transaction, before it commits."""
    claim: _Claim | None = request.scope.get("state", {}).get(_CLAIM)
    if claim is None or response.status_code >= 500:
        return
    secret_fields, secret_headers = request.scope["state"].get(_SECRET, ((), ()))
    headers = {
        name: value
        for name, value in response.headers.items()
        if name in REPLAYED_HEADERS and name not in secret_headers
    }
    body = bytes(response.body)
    if secret_fields:
        document = json.loads(body)
        document.update(dict.fromkeys(secret_fields))
        body = json.dumps(document, separators=(",", ":")).encode()
    session.add(
        IdempotencyRecord(
            user_id=claim.user_id,
            key=claim.key,
            request_fingerprint=claim.fingerprint,
            status_code=response.status_code,
            response_headers=json.dumps(headers),
            response_body=body,
        )
    )
    await session.flush()


async def store_refusal(request: Request, session: AsyncSession, response: Response) -> None:
    """Store a 4xx the route raised (its change rolled back) as the key's answer, in a
    transaction of its own: a retry gets the same refusal, as it would any answer.

    A concurrent retry may have stored its own meanwhile; then that one stands."""
    try:
        await store_answer(request, session, response)
        await session.commit()
    except IntegrityError:
        await session.rollback()


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.url.path.encode())
    digest.update(request.scope.get("query_string", b""))
    digest.update(body)
    return digest.hexdigest()
