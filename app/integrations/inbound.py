"""POST /inbound/{id}: verify, deduplicate, validate, store and apply, in one transaction.

The order matters. The signature is checked before anything is parsed, so an
unauthenticated caller learns nothing but 401 (an unknown integration looks exactly
like a bad signature). The rate limits come after it: a request that fails it counts
against its client address, one that passes against its integration, so no flood of
forgeries, from wherever, can get the real sender refused (app/core/ratelimit.py). A
replayed `webhook-id` is acknowledged before validation: the tool already got its answer
once. The stored message and its effects commit together, so a 422 (or a crash) leaves
no trace and a 202 means it is all there.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ProblemError
from app.core.ratelimit import RateLimits
from app.integrations.apply import apply_event
from app.integrations.inbound_schemas import DATA_MODELS, ApplicationData, InboundEnvelope
from app.integrations.schemas import InboundAck
from app.models import InboundMessage, Integration, User
from app.webhooks.signing import SignatureError, new_secret, verify

logger = logging.getLogger("followup.inbound")

# Verified against when the integration doesn't exist, so the timing matches a real one.
_UNKNOWN_SECRET = new_secret()


class InvalidSignature(ProblemError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "The webhook signature is missing, invalid or outside the 5-minute window."
        )


async def receive(
    session: AsyncSession,
    raw_integration_id: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    limits: RateLimits,
    client: str,
) -> InboundAck:
    """`client` is the caller's address, which failed signatures are limited by."""
    integration = await _integration(session, raw_integration_id)
    try:
        webhook_id = verify(
            integration.secret if integration else _UNKNOWN_SECRET, headers, body, now=now
        )
        if integration is None:
            raise SignatureError("no such integration")
    except SignatureError as exc:
        logger.info("inbound event refused for %s: %s", raw_integration_id, exc)
        await limits.hit(limits.inbound_failures, "inbound-failed", client)
        raise InvalidSignature() from exc
    await limits.hit(limits.inbound, "inbound", str(integration.id))
    if await _seen(session, integration.id, webhook_id):
        return InboundAck(webhook_id=webhook_id, status="duplicate")
    envelope, data = parse(body)
    try:
        async with session.begin_nested():
            session.add(
                InboundMessage(
                    integration_id=integration.id,
                    webhook_id=webhook_id,
                    event_type=envelope.type,
                    body=body.decode(),
                    received_at=now,
                )
            )
    except IntegrityError:  # the same message, arriving twice at once: the other one won
        return InboundAck(webhook_id=webhook_id, status="duplicate")
    user = await session.get_one(User, integration.owner_id)
    await apply_event(session, integration, user, envelope.type, data, now=now)
    integration.last_received_at = now
    await session.flush()
    return InboundAck(webhook_id=webhook_id, status="accepted")


def parse(body: bytes) -> tuple[InboundEnvelope, ApplicationData]:
    """The envelope and its typed `data`; 422 (as the API words it) when either is invalid."""
    try:
        envelope = InboundEnvelope.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc, ("body",)) from exc
    try:
        data = DATA_MODELS[envelope.type].model_validate(envelope.data)
    except ValidationError as exc:
        raise _invalid(exc, ("body", "data")) from exc
    return envelope, data


def _invalid(exc: ValidationError, prefix: Sequence[str]) -> RequestValidationError:
    errors: list[dict[str, Any]] = [
        {**error, "loc": (*prefix, *error["loc"])} for error in exc.errors(include_url=False)
    ]
    return RequestValidationError(errors)


async def _integration(session: AsyncSession, raw_id: str) -> Integration | None:
    try:
        integration_id = uuid.UUID(raw_id)
    except ValueError:
        return None
    return await session.get(Integration, integration_id)


async def _seen(session: AsyncSession, integration_id: uuid.UUID, webhook_id: str) -> bool:
    found = await session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.integration_id == integration_id,
            InboundMessage.webhook_id == webhook_id,
        )
    )
    return found is not None
