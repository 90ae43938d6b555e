"""Schemathesis against the whole API: every operation, authenticated, with every check.

For each operation it generates valid and invalid requests and asserts no 5xx, that
responses (status, content type, headers, body) conform to the schema, that valid data
is accepted and invalid data rejected, and that the bearer token is really required;
then it chains operations into workflows, so real resources are read, changed and
deleted too. Every check schemathesis has runs (`--checks all`: valid data must be
accepted too, not only invalid data refused). Inbound events are signed as a real tool
would sign them (`SigningApp`), so their bodies are judged, not only their signatures.
Bounded (a few examples per operation, deterministic) so it stays quick (about 45 s
per database); it runs on every database, against a migrated database of its own,
because the app commits for real.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.specs.openapi.checks  # registers the OpenAPI checks
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.asgi import read_body, replay_body
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.integrations.schemas import IntegrationCreate
from app.integrations.service import create_integration
from app.main import create_app
from app.webhooks.signing import sign
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


class Fuzzer:
    """The fuzzer's account: its token, and an integration it signs inbound events for."""

    def __init__(self, token: str, integration_id: str, secret: str) -> None:
        self.token = token
        self.integration_id = integration_id
        self.secret = secret


def _fuzzer(url: str, email: str = "fuzz@example.com") -> Fuzzer:
    async def create() -> Fuzzer:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                owner = await create_user_with_token(
                    session, email=email, name="Fuzz", timezone="Europe/Berlin"
                )
                integration = await create_integration(
                    session, owner.user, IntegrationCreate(name="Fuzz ATS")
                )
                fuzzer = Fuzzer(owner.token, str(integration.id), integration.secret)
                await session.commit()
                return fuzzer
        finally:
            await engine.dispose()

    return asyncio.run(create())


def _token_for_fuzzer(url: str, email: str) -> str:
    return _fuzzer(url, email).token


INBOUND = re.compile(r"^/api/v1/inbound/[^/]+$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class SigningApp:
    """Signs inbound requests as their sender would: fresh timestamp, HMAC of the bytes
    actually sent. Only requests whose three signature headers are as the schema says
    are signed; one the fuzzer broke on purpose (a header missing or malformed) is
    passed on as it is, and must be refused."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not INBOUND.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        message_id = headers.get("webhook-id", "")
        if not (
            0 < len(message_id) <= 255
            and TIMESTAMP.match(headers.get("webhook-timestamp", ""))
            and headers.get("webhook-signature")
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        now = int(time.time())
        signed = {
            "webhook-timestamp": str(now),
            "webhook-signature": sign(self.secret, message_id, now, body),
        }
        scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k.decode().lower() not in signed]
            + [(k.encode(), v.encode()) for k, v in signed.items()],
        }
        await self.app(scope, replay_body(body, receive), send)


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
def fuzzer(fuzz_database: str) -> Fuzzer:
    return _fuzzer(fuzz_database)


@pytest.fixture(scope="session")
def fuzz_app(fuzz_database: str, fuzzer: Fuzzer) -> SigningApp:
    app = create_app(Settings(env="test", database_url=fuzz_database, run_worker=False))
    return SigningApp(app, fuzzer.secret)


@pytest.fixture(scope="session")
def fuzz_headers(fuzzer: Fuzzer) -> dict[str, str]:
    return {"Authorization": f"Bearer {fuzzer.token}"}


# `--checks all`: every check schemathesis has, positive data acceptance included.
ALL_CHECKS = CHECKS.get_all()


# The committed schema (a test keeps it equal to the served one) names the operations;
# each backend's own app answers them.
schema = schemathesis.openapi.from_path(COMMITTED, config=_config())


@schema.parametrize()
# The import document's many dates and datetimes each carry a format and the year-range
# pattern; generating both at once filters out more examples than Hypothesis likes.
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_every_operation_conforms(
    case: Any, fuzz_app: SigningApp, fuzz_headers: dict[str, str], fuzzer: Fuzzer
) -> None:
    if case.operation.path == "/api/v1/inbound/{integration_id}":
        case.path_parameters = {
            **(case.path_parameters or {}),
            "integration_id": fuzzer.integration_id,
        }
    case.call_and_validate(app=fuzz_app, headers=fuzz_headers, checks=ALL_CHECKS)


def test_the_fuzzer_sees_every_operation_and_runs_every_check() -> None:
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 40
    names = {check.__name__ for check in ALL_CHECKS}
    assert {"positive_data_acceptance", "negative_data_rejection"} <= names


def test_workflows_across_operations(fuzz_app: SigningApp, fuzz_database: str) -> None:
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
