"""The `data` of events that have no resource representation of their own."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class Deleted(BaseModel):
    """A deleted resource that belongs to no application (`reference.deleted`)."""

    id: uuid.UUID


class DeletedApplication(BaseModel):
    """`application.deleted`: its interviews, interviewers and events went with it."""

    id: uuid.UUID


class DeletedChild(BaseModel):
    """A deleted interview or interviewer, with the application it belonged to."""

    id: uuid.UUID
    application_id: uuid.UUID


class WebhookTest(BaseModel):
    """`webhook.test`, sent on request whatever the subscription's filter."""

    subscription_id: uuid.UUID
    message: str = Field(examples=["This is a test delivery from Followup."])
