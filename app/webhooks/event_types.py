"""The outbound event types (docs/webhooks.md) and how a subscription's filter matches them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

EventType = Literal[
    "application.created",
    "application.updated",
    "application.deleted",
    "application.status_changed",
    "interview.created",
    "interview.updated",
    "interview.deleted",
    "interviewer.created",
    "interviewer.updated",
    "interviewer.deleted",
    "event.created",
    "reference.created",
    "reference.updated",
    "reference.deleted",
    "recommendation.due",
    "webhook.test",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
ALL_EVENTS = "*"


def subscribed(filters: Iterable[str], event_type: EventType) -> bool:
    """Whether a subscription with these `events` wants this type."""
    return any(f in (ALL_EVENTS, event_type) for f in filters)
