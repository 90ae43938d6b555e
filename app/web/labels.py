"""Plain-language names for the fixed vocabularies (app/models/enums.py), as the pages show them."""

from __future__ import annotations

from app.models.enums import (
    SERVER_ONLY_EVENT_TYPES,
    ApplicationStatus,
    Channel,
    EventType,
    InterviewKind,
    ReplyResponse,
)

STATUS: dict[str, str] = {
    ApplicationStatus.applied: "Applied",
    ApplicationStatus.interviewing: "Interviewing",
    ApplicationStatus.offer: "Offer",
    ApplicationStatus.accepted: "Accepted",
    ApplicationStatus.rejected: "Rejected",
    ApplicationStatus.withdrawn: "Withdrawn",
    ApplicationStatus.closed: "Closed",
}

INTERVIEW_KIND: dict[str, str] = {
    InterviewKind.phone_screen: "Phone screen",
    InterviewKind.video: "Video call",
    InterviewKind.onsite: "On site",
    InterviewKind.technical: "Technical",
    InterviewKind.panel: "Panel",
    InterviewKind.other: "Other",
}

EVENT_TYPE: dict[str, str] = {
    EventType.next_steps_asked: "Asked about next steps",
    EventType.contact_info_requested: "Asked for contact details",
    EventType.thank_you_email: "Thank-you email",
    EventType.handwritten_note: "Handwritten note",
    EventType.linkedin_connection: "LinkedIn connection",
    EventType.linkedin_message: "LinkedIn message",
    EventType.status_inquiry: "Status inquiry",
    EventType.reply_received: "Reply received",
    EventType.reference_heads_up: "Reference heads-up",
    EventType.withdrawal: "Withdrew",
    EventType.note: "Note",
    EventType.status_changed: "Status changed",
}

# What a person can record by hand (status_changed is written by the server).
RECORDABLE_EVENT_TYPE: dict[str, str] = {
    k: v for k, v in EVENT_TYPE.items() if k not in SERVER_ONLY_EVENT_TYPES
}

CHANNEL: dict[str, str] = {
    Channel.email: "Email",
    Channel.handwritten: "Handwritten",
    Channel.linkedin: "LinkedIn",
    Channel.phone: "Phone",
    Channel.in_person: "In person",
    Channel.other: "Other",
}

RESPONSE: dict[str, str] = {
    ReplyResponse.positive: "Positive",
    ReplyResponse.noncommittal: "Noncommittal",
    ReplyResponse.next_round: "Invited to a next round",
    ReplyResponse.offer: "Offer",
    ReplyResponse.rejection: "Rejection",
}

PRIORITY: dict[str, str] = {"high": "High priority", "normal": "", "low": "Low priority"}


def label(table: dict[str, str], value: str | None) -> str:
    """The label for a value, or the value itself for anything the table doesn't know."""
    if value is None:
        return ""
    return table.get(value, value.replace("_", " ").capitalize())
