"""Settings, read once from the environment (prefix ``FOLLOWUP_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-change-me"
DEFAULT_DATABASE_URL = f"sqlite:///{Path('var') / 'followup.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET_KEY
    allow_signup: bool = True
    webhooks_allow_private_targets: bool = False
    scheduler_interval: float = Field(default=60.0, gt=0)
    run_worker: bool = True
    access_token_ttl_seconds: int = Field(default=24 * 3600, gt=0)
    # Benchmark only: report SQL statements per request in X-SQL-Statements.
    count_sql: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        # A guessable key would let anyone forge session cookies and CSRF tokens.
        if self.env == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("FOLLOWUP_SECRET_KEY must be set to a random value in production")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
