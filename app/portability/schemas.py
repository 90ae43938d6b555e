"""The export document: everything a user owns, as one JSON object.

The same models describe what `GET /export` returns and what `POST /import` accepts, so
an export always re-imports. Fields use the same types and limits as the API's own
inputs: an import can't smuggle in anything the API would refuse.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.types import (
    Day,
    Email,
    LongText,
    Name,
    Phone,
    ShortText,
    TextInput,
    Timestamp,
    TimezoneName,
    Url,
)
from app.interviews.schemas import MutualInterests, Topics
from app.models import (
    Application,
    Base,
    Event,
    Integration,
    Interview,
    Interviewer,
    Reference,
    User,
    WebhookSubscription,
)
from app.models.enums import ApplicationStatus, Channel, EventType, InterviewKind, ReplyResponse

FORMAT = "followup.export"
FORMAT_VERSION = 1
MAX_ITEMS = 10_000


class Item(TextInput):
    model_config = ConfigDict(extra="forbid")


class Row(Item):
    """A row of `model`, as its columns: the export copies each field but the `links` from
    the column of the same name, and the import writes them back the same way."""

    model: ClassVar[type[Base]]
    # Fields made from other rows (link tables, child items), not copied from a column.
    links: ClassVar[frozenset[str]] = frozenset()
    # The model's columns the document leaves out, each with why. A column that is neither
    # here nor a field fails tests/test_field_coverage.py: no new one is dropped unnoticed.
    left_out: ClassVar[Mapping[str, str]] = {}


# Why the ownership and edit-counter columns are never in a document.
OWNER = "the account importing the document owns what it creates"
PARENT = "the item is nested under its application"
VERSION = "counts edits on this server, for concurrent writes; a restored row starts anew"


class ProfileDoc(Row):
    """Informational on import except `name` and `timezone`, which are restored."""

    model: ClassVar[type[Base]] = User
    left_out: ClassVar[Mapping[str, str]] = {
        "id": "the importing account keeps its own",
        "password_hash": "credentials are never exported",
        "data_version": "a cache key for this server's next steps",
        "updated_at": "the importing account keeps its own",
        "notify_digest": "which email to get is chosen on each server, under Settings",
        "digest_time": "which email to get is chosen on each server, under Settings",
        "notify_alerts": "which email to get is chosen on each server, under Settings",
        "next_check_at": "the scheduler's bookkeeping on this server",
        "digest_due_at": "the scheduler's bookkeeping on this server",
    }

    email: Email = Field(description="Not changed by an import: the account keeps its own.")
    name: Name
    timezone: TimezoneName
    created_at: Timestamp


class ReferenceDoc(Row):
    model: ClassVar[type[Base]] = Reference
    left_out: ClassVar[Mapping[str, str]] = {"owner_id": OWNER, "version": VERSION}

    id: uuid.UUID
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    relationship: ShortText | None = Field(default=None, examples=["former manager"])
    company: ShortText | None = None
    title: ShortText | None = None
    notes: LongText | None = None
    created_at: Timestamp
    updated_at: Timestamp


class InterviewerDoc(Row):
    model: ClassVar[type[Base]] = Interviewer
    left_out: ClassVar[Mapping[str, str]] = {
        "owner_id": OWNER,
        "application_id": PARENT,
        "version": VERSION,
    }

    id: uuid.UUID
    name: Name
    title: ShortText | None = Field(default=None, examples=["Engineering Manager"])
    email: Email | None = None
    linkedin_url: Url | None = None
    phone: Phone | None = None
    is_main_contact: bool = False
    notes: LongText | None = None
    created_at: Timestamp
    updated_at: Timestamp


class InterviewDoc(Row):
    model: ClassVar[type[Base]] = Interview
    links: ClassVar[frozenset[str]] = frozenset({"interviewer_ids"})
    left_out: ClassVar[Mapping[str, str]] = {
        "owner_id": OWNER,
        "application_id": PARENT,
        "version": VERSION,
    }

    id: uuid.UUID
    starts_at: Timestamp
    ends_at: Timestamp
    kind: InterviewKind | None = None
    round: int | None = Field(default=None, ge=1, le=100)
    interviewer_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Interviewers of the same application."
    )
    topics: Topics | None = None
    mutual_interests: MutualInterests | None = None
    notes: LongText | None = None
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="after")
    def _ends_after_start(self) -> InterviewDoc:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class EventDoc(Row):
    """Every event, `status_changed` ones (written by the server) included."""

    model: ClassVar[type[Base]] = Event
    left_out: ClassVar[Mapping[str, str]] = {
        "owner_id": OWNER,
        "application_id": PARENT,
        "version": VERSION,
    }

    id: uuid.UUID
    type: EventType
    occurred_at: Timestamp
    interviewer_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None
    reference_id: uuid.UUID | None = None
    channel: Channel | None = None
    response: ReplyResponse | None = None
    notes: LongText | None = None
    from_status: ApplicationStatus | None = None
    to_status: ApplicationStatus | None = None
    created_at: Timestamp

    @model_validator(mode="after")
    def _consistent(self) -> EventDoc:
        if self.response is not None and self.type != EventType.reply_received:
            raise ValueError("response is only for reply_received events")
        is_change = self.type == EventType.status_changed
        if is_change and self.to_status is None:
            raise ValueError("a status_changed event needs to_status")
        if not is_change and (self.from_status or self.to_status):
            raise ValueError("from_status and to_status are only for status_changed events")
        return self


class ApplicationDoc(Row):
    model: ClassVar[type[Base]] = Application
    links: ClassVar[frozenset[str]] = frozenset(
        {"reference_ids", "interviewers", "interviews", "events"}
    )
    left_out: ClassVar[Mapping[str, str]] = {"owner_id": OWNER, "version": VERSION}

    id: uuid.UUID
    company: Name = Field(examples=["Acme Corp"])
    role_title: Name = Field(examples=["Backend Engineer"])
    job_url: Url | None = None
    location: ShortText | None = None
    notes: LongText | None = None
    status: ApplicationStatus
    recruiter_name: Name | None = None
    recruiter_email: Email | None = None
    expected_response_by: Day | None = None
    follow_up_channel: ShortText | None = None
    second_round_expected: bool | None = None
    references_requested_at: Timestamp | None = None
    reference_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=100, description="Ids from the document's `references`."
    )
    source: ShortText = Field(
        min_length=1, max_length=100, description="`manual`, or the integration it came from."
    )
    external_id: ShortText | None = None
    created_at: Timestamp
    updated_at: Timestamp
    interviewers: list[InterviewerDoc] = Field(default_factory=list, max_length=MAX_ITEMS)
    interviews: list[InterviewDoc] = Field(default_factory=list, max_length=MAX_ITEMS)
    events: list[EventDoc] = Field(default_factory=list, max_length=MAX_ITEMS)


class RecommendationTarget(Item):
    """What a dismissed or snoozed next step was about, so the decision can follow it
    when an import has to give everything new ids."""

    rule: str = Field(max_length=64, examples=["send_thank_you_email"])
    application_id: uuid.UUID | None = None
    interview_id: uuid.UUID | None = None
    interviewer_id: uuid.UUID | None = None
    reference_id: uuid.UUID | None = None


class RecommendationStateDoc(Item):
    """A next step you dismissed (for good) or snoozed (until a time)."""

    recommendation_id: str = Field(min_length=1, max_length=64, examples=["rec_3f2a9c0d1e4b"])
    dismissed_at: Timestamp | None = None
    snoozed_until: Timestamp | None = None
    about: RecommendationTarget | None = Field(
        default=None, description="Null when the step is no longer open."
    )


class WebhookDoc(Row):
    """A webhook subscription, for the record: an import does not recreate it (its secret
    is never exported, and receivers would reject a new one): subscribe again."""

    model: ClassVar[type[Base]] = WebhookSubscription
    left_out: ClassVar[Mapping[str, str]] = {
        "owner_id": OWNER,
        "secret": "secrets are never exported",
        "disabled_reason": "delivery state on this server; not recreated",
        "disabled_at": "delivery state on this server; not recreated",
        "failing_since": "delivery state on this server; not recreated",
        "version": VERSION,
        "updated_at": "for the record only: when it was made is enough",
    }

    id: uuid.UUID
    url: str = Field(max_length=2048)
    events: list[str] = Field(max_length=100, examples=[["*"]])
    description: str | None = Field(default=None, max_length=500)
    enabled: bool
    created_at: Timestamp


class IntegrationDoc(Row):
    """An inbound integration, for the record: an import does not recreate it (its secret
    is never exported): create it again and give the tool its new URL and secret."""

    model: ClassVar[type[Base]] = Integration
    left_out: ClassVar[Mapping[str, str]] = {
        "owner_id": OWNER,
        "secret": "secrets are never exported",
        "last_received_at": "delivery state on this server; not recreated",
    }

    id: uuid.UUID
    name: str = Field(max_length=100)
    created_at: Timestamp


class ExportDocument(Item):
    """Everything you own. Re-import it with `POST /api/v1/import` or `followup import`.

    Not included, on purpose: your password, API tokens, web sessions and the calendar
    feed secret (credentials are never exported), webhook and integration secrets, and
    operational logs (webhook deliveries, received inbound events). Webhooks and
    integrations are listed for the record but not recreated by an import."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "exported_at": "2026-11-26T13:15:00Z",
                    "profile": {
                        "email": "ada@example.com",
                        "name": "Ada Lovelace",
                        "timezone": "Europe/London",
                        "created_at": "2026-10-01T09:00:00Z",
                    },
                    "references": [],
                    "applications": [],
                    "recommendation_states": [],
                    "webhooks": [],
                    "integrations": [],
                }
            ]
        },
    )

    format: Literal["followup.export"] = Field(description="Always `followup.export`.")
    format_version: Literal[1] = Field(description="Bumped on incompatible changes.")
    exported_at: Timestamp
    profile: ProfileDoc
    references: list[ReferenceDoc] = Field(default_factory=list, max_length=MAX_ITEMS)
    applications: list[ApplicationDoc] = Field(default_factory=list, max_length=MAX_ITEMS)
    recommendation_states: list[RecommendationStateDoc] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Next steps you dismissed or snoozed.",
    )
    webhooks: list[WebhookDoc] = Field(
        default_factory=list, max_length=1000, description="For the record; not imported."
    )
    integrations: list[IntegrationDoc] = Field(
        default_factory=list, max_length=1000, description="For the record; not imported."
    )


class Document(Protocol):
    """What an import reads of a document: an `ExportDocument` (a request's body), or one
    read from a file as it goes (app/portability/reader.py), whose lists can be gone
    through again but are never held whole."""

    @property
    def profile(self) -> ProfileDoc: ...
    @property
    def references(self) -> Iterable[ReferenceDoc]: ...
    @property
    def applications(self) -> Iterable[ApplicationDoc]: ...
    @property
    def recommendation_states(self) -> Sequence[RecommendationStateDoc]: ...
    @property
    def webhooks(self) -> Sequence[WebhookDoc]: ...
    @property
    def integrations(self) -> Sequence[IntegrationDoc]: ...


class ImportResult(BaseModel):
    ids: Literal["kept", "remapped"] = Field(
        description="`kept`: every id is as in the document. `remapped`: some id was already "
        "taken on this server (the data still exists in another account), so every item got "
        "a new id, consistently; dismissed and snoozed steps follow their new ids."
    )
    references: int
    applications: int
    interviewers: int
    interviews: int
    events: int
    recommendation_states: int
    skipped_recommendation_states: int = Field(
        description="Decisions about steps that are no longer open, dropped when remapping."
    )
    not_restored: list[str] = Field(
        description="What the document lists but an import never recreates, e.g. "
        "`webhook https://example.com/hook`: set those up again (they need new secrets).",
    )
