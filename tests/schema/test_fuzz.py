"""Schemathesis against the whole API: every operation, authenticated, with every check.

For each operation it generates valid and invalid requests and asserts no 5xx, that
responses (status, content type, headers, body) conform to the schema, that valid data
is accepted and invalid data rejected, and that the bearer token is really required;
then it chains operations into workflows, so real resources are read, changed and
deleted too. Bounded (a few examples per operation, deterministic) so it stays quick
(about 45 s per database); it runs on every database, against a migrated database of
its own, because the app commits for real.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.main import create_app
from tests.databases import backend_of, migrated_database
from tests.factories import create_user_with_token

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
MAX_EXAMPLES = 12
STATEFUL_SCENARIOS = 25
STATEFUL_STEPS = 8
# What a schema-valid request may get, beyond success: the defaults (no such resource,
# conflict, throttled...) and, per operation, answers to what a schema can't express
# (docs/api.md). A stale If-Match is 412; a cursor no page handed out is 400; in a body, an id
# that isn't one of yours is 422 like a random one, and so are ends_at before starts_at,
# an occurred_at in the future and an Idempotency-Key reused for another request; a date
# outside the years 1900-2999, in a body or a query, is 422 too. An import may be over the
# 1 MiB limit however valid it is (413).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# An invalid request may be refused for its size alone (413) before anything reads it.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


def _is_time(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("format") in ("date", "date-time") for option in options)


def _accepted_for(operation: dict[str, Any]) -> list[str]:
    names = {p["name"] for p in operation.get("parameters", [])}
    extra = {
        "412": "If-Match" in names,
        "400": "cursor" in names,
        "422": "requestBody" in operation
        or "Idempotency-Key" in names
        or any(_is_time(p.get("schema", {})) for p in operation.get("parameters", [])),
        "413": operation["operationId"] == "importAccount",
    }
    return ACCEPTED + sorted(status for status, applies in extra.items() if applies)


def _per_operation() -> list[dict[str, Any]]:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    overrides = []
    for item in document["paths"].values():
        for operation in item.values():
            accepted = _accepted_for(operation)
            if accepted != ACCEPTED:
                check = {"positive_data_acceptance": {"expected-statuses": accepted}}
                overrides.append(
                    {"include-operation-id": operation["operationId"], "checks": check}
                )
    return overrides


@pytest.fixture(scope="session")
def fuzz_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own on the same backend: the app commits what the fuzzer sends."""
    with migrated_database(backend_of(database_url), tmp_path_factory.mktemp("fuzz")) as url:
        yield url


def _token_for_fuzzer(url: str, email: str = "fuzz@example.com") -> str:
    async def create() -> str:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                owner = await create_user_with_token(
                    session, email=email, name="Fuzz", timezone="Europe/Berlin"
                )
                return owner.token
        finally:
            await engine.dispose()

    return asyncio.run(create())


@pytest.fixture(scope="session")
def fuzz_app(fuzz_database: str) -> FastAPI:
    return create_app(Settings(env="test", database_url=fuzz_database, run_worker=False))


def _config(token: str | None = None) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "operations": _per_operation(),
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REJECTED},
            },
        }
    )


@pytest.fixture(scope="session")
def fuzz_headers(fuzz_database: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token_for_fuzzer(fuzz_database)}"}


# The committed schema (a test keeps it equal to the served one) names the operations;
# each backend's own app answers them.
schema = schemathesis.openapi.from_path(COMMITTED, config=_config())


@schema.parametrize()
def test_every_operation_conforms(
    case: Any, fuzz_app: FastAPI, fuzz_headers: dict[str, str]
) -> None:
    case.call_and_validate(app=fuzz_app, headers=fuzz_headers)


def test_the_fuzzer_sees_every_operation() -> None:
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 40


def test_workflows_across_operations(fuzz_app: FastAPI, fuzz_database: str) -> None:
    """Stateful: responses feed later requests (create an application, then read, change,
    list and delete it, add interviews to it...), so real resources are exercised, not
    only random ids, and the checks of resources' life cycles (use after delete,
    availability after create) run too. Each scenario is a new account, so replaying
    one (as Hypothesis does with a failure) meets the same state."""

    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            token = _token_for_fuzzer(fuzz_database, f"fuzz-{uuid.uuid4().hex}@example.com")
            self.headers = {"Authorization": f"Bearer {token}"}

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"app": fuzz_app, "headers": self.headers}

    Workflows.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
