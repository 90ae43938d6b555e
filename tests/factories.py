"""Plain factories: create_x(session, **overrides) -> the row, flushed and committed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import issue_token
from app.core.security import hash_password
from app.models import (
    Application,
    Event,
    Integration,
    Interview,
    Interviewer,
    Reference,
    User,
    WebhookDelivery,
    WebhookEvent,
    WebhookMessage,
    WebhookSubscription,
)
from app.webhooks.signing import new_secret

DEFAULT_PASSWORD = "correct horse battery"


@lru_cache
def _default_password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once.
    return hash_password(DEFAULT_PASSWORD)


@dataclass
class UserWithToken:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_user(session: AsyncSession, **overrides: Any) -> User:
    fields: dict[str, Any] = {
        "email": "user@example.com",
        "name": "Test User",
        "timezone": "UTC",
        "password_hash": _default_password_hash(),
    }
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    await session.commit()
    return user


async def create_user_with_token(session: AsyncSession, **overrides: Any) -> UserWithToken:
    user = await create_user(session, **overrides)
    _, token = await issue_token(session, user, kind="personal", name="tests", expires_at=None)
    await session.commit()
    return UserWithToken(user=user, token=token)


async def create_application(session: AsyncSession, owner: User, **overrides: Any) -> Application:
    fields: dict[str, Any] = {"company": "Acme Corp", "role_title": "Backend Engineer"}
    fields.update(overrides)
    application = Application(owner_id=owner.id, **fields)
    session.add(application)
    await session.commit()
    return application


async def create_interviewer(
    session: AsyncSession, application: Application, **overrides: Any
) -> Interviewer:
    fields: dict[str, Any] = {"name": "Grace Hopper", "title": "Engineering Manager"}
    fields.update(overrides)
    interviewer = Interviewer(
        owner_id=application.owner_id, application_id=application.id, **fields
    )
    session.add(interviewer)
    await session.commit()
    return interviewer


async def create_interview(
    session: AsyncSession,
    application: Application,
    interviewers: list[Interviewer] | None = None,
    **overrides: Any,
) -> Interview:
    starts_at = overrides.pop("starts_at", datetime.now(UTC) - timedelta(hours=2))
    fields: dict[str, Any] = {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=1)}
    fields.update(overrides)
    interview = Interview(owner_id=application.owner_id, application_id=application.id, **fields)
    interview.interviewers = list(interviewers or [])
    session.add(interview)
    await session.commit()
    return interview


async def create_event(session: AsyncSession, application: Application, **overrides: Any) -> Event:
    fields: dict[str, Any] = {"type": "note", "occurred_at": datetime.now(UTC)}
    fields.update(overrides)
    event = Event(owner_id=application.owner_id, application_id=application.id, **fields)
    session.add(event)
    await session.commit()
    return event


async def create_reference(session: AsyncSession, owner: User, **overrides: Any) -> Reference:
    fields: dict[str, Any] = {"name": "Margaret Hamilton", "relationship": "former manager"}
    fields.update(overrides)
    reference = Reference(owner_id=owner.id, **fields)
    session.add(reference)
    await session.commit()
    return reference


async def create_webhook(
    session: AsyncSession, owner: User, **overrides: Any
) -> WebhookSubscription:
    fields: dict[str, Any] = {
        "url": "https://hooks.example.com/followup",
        "events": ["*"],
        "secret": new_secret(),
    }
    fields.update(overrides)
    subscription = WebhookSubscription(owner_id=owner.id, **fields)
    session.add(subscription)
    await session.commit()
    return subscription


async def create_webhook_delivery(
    session: AsyncSession, subscription: WebhookSubscription, **overrides: Any
) -> WebhookDelivery:
    """A delivered webhook.test message and its one attempt."""
    now = datetime.now(UTC)
    event = WebhookEvent(
        id=uuid.uuid4(), owner_id=subscription.owner_id, type="webhook.test", body="{}"
    )
    message = WebhookMessage(
        id=uuid.uuid4(),
        event_id=event.id,
        subscription_id=subscription.id,
        status="delivered",
        attempts=1,
        next_attempt_at=now,
    )
    fields: dict[str, Any] = {"attempt": 1, "status_code": 200, "duration_ms": 12}
    fields.update(overrides)
    delivery = WebhookDelivery(
        subscription_id=subscription.id, message_id=message.id, event_type=event.type, **fields
    )
    session.add(event)
    await session.flush()
    session.add(message)
    await session.flush()
    session.add(delivery)
    await session.commit()
    return delivery


async def create_integration(session: AsyncSession, owner: User, **overrides: Any) -> Integration:
    fields: dict[str, Any] = {"name": "greenhouse", "secret": new_secret()}
    fields.update(overrides)
    integration = Integration(owner_id=owner.id, **fields)
    session.add(integration)
    await session.commit()
    return integration
