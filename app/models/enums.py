"""The fixed vocabularies: statuses, event types, channels, replies, interview kinds.

Clients rely on these values (they are enums in the published schema), so renaming one
is a breaking change."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    applied = "applied"
    interviewing = "interviewing"
    offer = "offer"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    closed = "closed"


ACTIVE_STATUSES = frozenset(
    {ApplicationStatus.applied, ApplicationStatus.interviewing, ApplicationStatus.offer}
)


class InterviewKind(StrEnum):
    phone_screen = "phone_screen"
    video = "video"
    onsite = "onsite"
    technical = "technical"
    panel = "panel"
    other = "other"


class EventType(StrEnum):
    next_steps_asked = "next_steps_asked"
    contact_info_requested = "contact_info_requested"
    thank_you_email = "thank_you_email"
    handwritten_note = "handwritten_note"
    linkedin_connection = "linkedin_connection"
    linkedin_message = "linkedin_message"
    status_inquiry = "status_inquiry"
    reply_received = "reply_received"
    reference_heads_up = "reference_heads_up"
    withdrawal = "withdrawal"
    note = "note"
    status_changed = "status_changed"


# The one type only the server writes.
SERVER_ONLY_EVENT_TYPES = frozenset({EventType.status_changed})


class PostableEventType(StrEnum):
    """The event types a client may record: EventType without the server-only ones (a
    test keeps the two in step), so neither the schema nor a 422 offers those."""

    next_steps_asked = "next_steps_asked"
    contact_info_requested = "contact_info_requested"
    thank_you_email = "thank_you_email"
    handwritten_note = "handwritten_note"
    linkedin_connection = "linkedin_connection"
    linkedin_message = "linkedin_message"
    status_inquiry = "status_inquiry"
    reply_received = "reply_received"
    reference_heads_up = "reference_heads_up"
    withdrawal = "withdrawal"
    note = "note"


class Channel(StrEnum):
    email = "email"
    handwritten = "handwritten"
    linkedin = "linkedin"
    phone = "phone"
    in_person = "in_person"
    other = "other"


class ReplyResponse(StrEnum):
    positive = "positive"
    noncommittal = "noncommittal"
    next_round = "next_round"
    offer = "offer"
    rejection = "rejection"


def sql_in(values: type[StrEnum]) -> str:
    """A CHECK constraint body allowing exactly the enum's values."""
    return ", ".join(f"'{member.value}'" for member in values)
