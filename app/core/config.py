"""Settings, read once from the environment (prefix ``FOLLOWUP_``)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from limits import parse
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-change-me"
DEFAULT_DATABASE_URL = f"sqlite:///{Path('var') / 'followup.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET_KEY
    allow_signup: bool = True
    # Where clients reach this server: the schema's `servers` entry and the base of links
    # (those in mail too).
    public_url: str = "http://127.0.0.1:8000"
    webhooks_allow_private_targets: bool = False
    scheduler_interval: float = Field(default=60.0, gt=0)
    run_worker: bool = True
    access_token_ttl_seconds: int = Field(default=24 * 3600, gt=0)
    # Next steps each process keeps between requests (app/recommendations/cache.py); 0 = off.
    recommendation_cache_steps: int = Field(default=20_000, ge=0)
    # Longest wait for the next piece of a request body before answering 408 and closing.
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # `limits` notation ("30/minute", "5/second"); per client address. Each API process
    # counts on its own, unless redis_url is set: then they all share the counts there.
    rate_limit_auth: str = "30/minute"
    # Correctly signed inbound requests, per integration.
    rate_limit_inbound: str = "600/minute"
    # Inbound requests that fail the signature check, per client address.
    rate_limit_inbound_failures: str = "60/minute"
    # Redis (redis://host:6379/0) to keep the rate limits' counts in, shared by processes.
    redis_url: str | None = None
    # What the rate limits' keys in Redis start with, so apps can share one server.
    redis_key_prefix: str = "followup"
    # Origins allowed to call the API from a browser (comma-separated); none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Fernet keys for the secrets kept to sign with (comma-separated, newest first): the
    # first encrypts, all decrypt. Unset, one is derived from the secret key (not in
    # production). See SECURITY.md for rotating them.
    encryption_keys: Annotated[list[str], NoDecode] = []
    # Multiplies the webhook retry schedule (5 s, 5 min, ...): tests shrink it to seconds.
    webhook_retry_scale: float = Field(default=1.0, gt=0, le=1)
    # Mail (app/notifications): `smtp://user:pass@host:587` (STARTTLS when offered) or
    # `smtps://user:pass@host:465` (TLS from the start); empty writes .eml files to mail_dir.
    smtp_url: str = ""
    mail_from: str = "Followup <followup@localhost>"
    mail_dir: Path = Path("var") / "mail"
    # Benchmark only: report SQL statements per request in X-SQL-Statements.
    count_sql: bool = False

    @field_validator("cors_origins", "encryption_keys", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _is_smtp_url(cls, value: str) -> str:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("FOLLOWUP_SMTP_URL must start with smtp:// or smtps://")
        return value

    @field_validator("rate_limit_auth", "rate_limit_inbound", "rate_limit_inbound_failures")
    @classmethod
    def _is_rate_limit(cls, value: str) -> str:
        parse(value)  # raises ValueError for anything it can't read
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _are_fernet_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    "each key must be 32 url-safe base64-encoded bytes, as "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'` prints"
                ) from None
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        # A guessable key would let anyone forge session cookies and CSRF tokens.
        if self.env == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("FOLLOWUP_SECRET_KEY must be set to a random value in production")
        # A derived key would tie the stored secrets to the secret key, and rotating
        # that one would then make them unreadable.
        if self.env == "production" and not self.encryption_keys:
            raise ValueError("FOLLOWUP_ENCRYPTION_KEYS must be set in production")
        return self

    @property
    def encryption_key_list(self) -> list[str]:
        """The keys in use, newest first: the ones configured, or one derived from the secret."""
        if self.encryption_keys:
            return self.encryption_keys
        digest = hashlib.sha256(b"followup encryption key:" + self.secret_key.encode()).digest()
        return [base64.urlsafe_b64encode(digest).decode()]

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
