"""Integration bodies (the inbound events themselves are in inbound_schemas)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.core.types import InputModel
from app.models import Integration


def _not_manual(value: str) -> str:
    # Applications typed in by hand have source "manual": an integration can't share it.
    if value.lower() == "manual":
        raise ValueError("'manual' is reserved for applications you add yourself")
    return value


IntegrationName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[\w][\w .\-]*$"
    ),
    AfterValidator(_not_manual),
    Field(
        description="Names the tool; becomes the `source` of the applications it creates.",
        examples=["greenhouse"],
    ),
]


class IntegrationCreate(InputModel):
    name: IntegrationName


class IntegrationOut(BaseModel):
    id: uuid.UUID
    name: str
    inbound_url: str = Field(description="Where the tool POSTs its signed events.")
    created_at: datetime
    last_received_at: datetime | None = Field(description="When the last event was accepted.")

    @classmethod
    def of(cls, integration: Integration, inbound_url: str) -> IntegrationOut:
        return cls(
            id=integration.id,
            name=integration.name,
            inbound_url=inbound_url,
            created_at=integration.created_at,
            last_received_at=integration.last_received_at,
        )


class IntegrationCreated(IntegrationOut):
    secret: str | None = Field(
        description="Sign events with it (Standard Webhooks). Shown only this once: "
        "null when the answer is replayed for a repeated `Idempotency-Key`.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class InboundAck(BaseModel):
    webhook_id: str = Field(description="The `webhook-id` of the event.")
    status: Literal["accepted", "duplicate"] = Field(
        description="`duplicate`: that webhook-id was already accepted, so nothing changed."
    )
