"""Accounts, their API tokens and failed-login records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import EPOCH, Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Bumped by database triggers whenever the user's job-search data changes (see the
    # data_version migration); cached next steps are only reused for the same value.
    data_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # What mail the user wants (app/notifications); digest_time is "HH:MM" on their clock.
    notify_digest: Mapped[bool] = mapped_column(default=True, server_default=true())
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    notify_alerts: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The scheduler's worklist (app/notifications/tick.py): the next instant at which a step
    # of this user's can become due or their digest is due; NULL when nothing ever will.
    # The data_version triggers set it to the epoch ("look again now") on every change.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=EPOCH)
    # When the next digest is to be decided; NULL until the scheduler first looks.
    digest_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_users_next_check_at", "next_check_at"),)


class ApiToken(IdMixin, Base):
    """A bearer token. Only its SHA-256 is kept: the token itself is shown once.

    `kind` is "personal" for tokens the user manages at /tokens and "access" for
    the short-lived ones the password grant hands out.
    """

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_api_tokens_user_id_kind", "user_id", "kind"),)


class LoginFailure(IdMixin, Base):
    """One failed password attempt, counted per (account email, client address)."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_login_failures_email_client_address", "email", "client_address", "failed_at"),
    )


class IdempotencyRecord(IdMixin, Base):
    """The first response to a POST with an Idempotency-Key, replayed for 24 h."""

    __tablename__ = "idempotency_records"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_headers: Mapped[str | None] = mapped_column(String)
    response_body: Mapped[bytes | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("uq_idempotency_records_user_id_key", "user_id", "key", unique=True),)
