"""Request and response bodies for accounts and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.types import Email, InputModel, Name, PatchModel, Timestamp, TimezoneName

Password = Annotated[
    str,
    StringConstraints(min_length=10, max_length=1000),
    Field(description="At least 10 characters.", examples=["correct horse battery"]),
]


class RegisterIn(InputModel):
    email: Email
    password: Password
    name: Name
    timezone: TimezoneName = "UTC"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str = Field(examples=["ada@example.com"])
    name: str = Field(examples=["Ada Lovelace"])
    timezone: str = Field(examples=["Europe/London"])
    created_at: datetime


class MePatch(PatchModel):
    required_fields: ClassVar[frozenset[str]] = frozenset(
        {"email", "name", "timezone", "password", "current_password"}
    )

    email: Email | None = None
    name: Name | None = None
    timezone: TimezoneName | None = None
    password: Password | None = Field(
        default=None, description="A new password; needs `current_password`."
    )
    current_password: str | None = Field(
        default=None, max_length=1000, description="Required to change email or password."
    )


class TokenGrant(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class ApiTokenIn(InputModel):
    name: Name = Field(examples=["backup script"])
    expires_at: Timestamp | None = Field(
        default=None,
        description="When the token stops working: in the future (422 otherwise); "
        "never, when absent.",
    )


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str | None = Field(
        description="The token itself. It is shown only this once: null when the answer "
        "is replayed for a repeated `Idempotency-Key`."
    )
