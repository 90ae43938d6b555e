"""Webhook subscription and delivery bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from app.core.types import InputModel, PatchModel, Url
from app.models import WebhookDelivery, WebhookMessage, WebhookSubscription
from app.webhooks.event_types import ALL_EVENTS, EVENT_TYPES, EventType
from app.webhooks.outbox import webhook_id


def _known_event(value: str) -> str:
    if value != ALL_EVENTS and value not in EVENT_TYPES:
        raise ValueError(
            f"'{value}' is not an event type: use one of {', '.join(EVENT_TYPES)}, or *"
        )
    return value


def _deduplicated(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# An event type, or `*` for all of them.
FILTER_SCHEMA = WithJsonSchema({"type": "string", "enum": [*EVENT_TYPES, ALL_EVENTS]})
EventFilter = Annotated[
    str, StringConstraints(max_length=64), AfterValidator(_known_event), FILTER_SCHEMA
]
EventFilters = Annotated[
    list[EventFilter],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description='Event types to receive; `["*"]` for all of them.',
        examples=[["application.status_changed", "recommendation.due"]],
    ),
    AfterValidator(_deduplicated),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
TargetUrl = Annotated[
    Url,
    Field(
        description="Where to POST events: an http(s) URL whose host is a public "
        "address. Loopback, private, link-local and other non-public addresses (IPv4 "
        "carried in IPv6 included) are refused with 422, checked when subscribing and "
        "again at each delivery; redirects are not followed.",
        examples=["https://hooks.example.com/followup"],
    ),
]


class WebhookCreate(InputModel):
    url: TargetUrl
    events: EventFilters
    description: Description | None = None


class WebhookPatch(PatchModel):
    required_fields: ClassVar[frozenset[str]] = frozenset({"url", "events", "enabled"})

    url: TargetUrl | None = None
    events: EventFilters | None = None
    description: Description | None = None
    enabled: bool | None = Field(
        default=None, description="true re-enables a disabled subscription; false pauses it."
    )


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[Annotated[str, FILTER_SCHEMA]]
    description: str | None
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why deliveries stopped (410 Gone, five days of failures, or you)."
    )
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookOut:
        return cls(**{name: getattr(subscription, name) for name in cls.model_fields})


class WebhookCreated(WebhookOut):
    secret: str | None = Field(
        description="Verify signatures with it (Standard Webhooks). Shown only this once: "
        "null when the answer is replayed for a repeated `Idempotency-Key`.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class DeliveryOut(BaseModel):
    """One attempt to deliver one message."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event_type: EventType
    attempt: int = Field(description="1 for the first attempt of this message, then 2, 3…")
    status_code: int | None = Field(description="The HTTP status, if there was a response.")
    error: str | None = Field(description="What went wrong, if it did.")
    duration_ms: int
    response_body: str | None = Field(description="The first 1 KiB of the response.")
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        fields = {n: getattr(delivery, n) for n in cls.model_fields if n != "message_id"}
        return cls(**fields, message_id=webhook_id(delivery.message_id))


class MessageOut(BaseModel):
    """A message queued for delivery; its attempts appear in the delivery log."""

    message_id: str = Field(description="The `webhook-id` it is sent with.")
    subscription_id: uuid.UUID
    event_type: EventType
    status: Literal["pending", "delivered", "failed"]
    attempts: int = Field(description="Attempts made so far.")
    next_attempt_at: datetime

    @classmethod
    def of(cls, message: WebhookMessage, event_type: str) -> MessageOut:
        return cls.model_validate(
            {
                "message_id": webhook_id(message.id),
                "subscription_id": message.subscription_id,
                "event_type": event_type,
                "status": message.status,
                "attempts": message.attempts,
                "next_attempt_at": message.next_attempt_at,
            }
        )
