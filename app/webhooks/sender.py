"""One delivery attempt: check the target, sign, POST, and note what happened.

No database here: the worker claims jobs, sends them concurrently, then records the
outcomes in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx

from app.models.base import utcnow
from app.webhooks.outbox import webhook_id
from app.webhooks.retry import is_success
from app.webhooks.signing import signature_headers
from app.webhooks.targets import Target, UnsafeTarget, pinned_request
from app.webhooks.tuning import DEFAULT_TIMEOUT

logger = logging.getLogger("followup.webhooks")

RESPONSE_BODY_LIMIT = 1024
ERROR_LIMIT = 1000
USER_AGENT = "Followup-Webhooks/1.0"


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed message, with everything needed to send it."""

    message_id: uuid.UUID
    subscription_id: uuid.UUID
    url: str
    secret: str
    event_type: str
    body: bytes
    attempt: int


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    started_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None

    @property
    def succeeded(self) -> bool:
        return is_success(self.status_code)

    @property
    def gone(self) -> bool:
        return self.status_code == 410


async def send(
    job: Job,
    *,
    client: httpx.AsyncClient,
    target: Target | UnsafeTarget,
    now: datetime | None = None,
    attempt_timeout: float = DEFAULT_TIMEOUT,
) -> Outcome:
    started_at = now or utcnow()
    clock = time.perf_counter()
    status_code: int | None = None
    response_body: str | None = None
    error: str | None = None
    try:
        if isinstance(target, UnsafeTarget):
            raise target
        async with asyncio.timeout(attempt_timeout):
            status_code, response_body, location = await _post(client, target, job)
        error = _explain(status_code, location)
    except UnsafeTarget as exc:
        error = f"Not sent: {exc}"
    except (TimeoutError, httpx.TimeoutException):
        error = f"Timed out after {attempt_timeout:g} s."
    except httpx.RemoteProtocolError:
        error = "The connection closed without a complete response."
    except httpx.HTTPError as exc:
        error = f"Could not connect: {exc or type(exc).__name__}"
    except Exception as exc:  # a bug must cost one attempt, not the whole batch
        logger.exception("webhook attempt for message %s failed", job.message_id)
        error = f"Internal error: {type(exc).__name__}"
    duration_ms = round((time.perf_counter() - clock) * 1000)
    return Outcome(
        job=job,
        started_at=started_at,
        status_code=status_code,
        error=error[:ERROR_LIMIT] if error else None,
        duration_ms=duration_ms,
        response_body=response_body,
    )


async def _post(client: httpx.AsyncClient, target: Target, job: Job) -> tuple[int, str, str | None]:
    # The signature's timestamp is the real send time, whatever clock the caller injects:
    # receivers check it against their own clocks.
    headers = signature_headers(job.secret, webhook_id(job.message_id), int(time.time()), job.body)
    headers["content-type"] = "application/json"
    headers["user-agent"] = USER_AGENT
    request = pinned_request(client, target, job.body, headers)
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        head = bytearray()
        async for chunk in response.aiter_bytes():
            head += chunk
            if len(head) >= RESPONSE_BODY_LIMIT:
                break  # the rest is not worth waiting for (or storing)
    finally:
        await response.aclose()
    text = bytes(head[:RESPONSE_BODY_LIMIT]).decode("utf-8", errors="replace")
    return response.status_code, text, response.headers.get("location")


def _explain(status_code: int, location: str | None) -> str | None:
    if is_success(status_code):
        return None
    if status_code == 410:
        return "410 Gone: the endpoint asked to stop, so this webhook was disabled."
    if 300 <= status_code < 400:
        return f"Redirect to {location or '(no Location)'} not followed: use the final URL."
    return None
