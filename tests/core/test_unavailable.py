"""A database that can't be reached is a clean 503 problem+json with Retry-After, never a
500 with a traceback; any other error stays a 500."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from asyncpg import exceptions as pg
from sqlalchemy import exc as sa

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.unavailable import is_database_unavailable
from app.main import create_app

pytestmark = pytest.mark.anyio

# Nothing listens on port 1: every connection attempt is refused at once.
UNREACHABLE = "postgresql://root@127.0.0.1:1/followup"


@pytest.fixture
async def offline_client() -> AsyncIterator[httpx.AsyncClient]:
    engine = create_engine(UNREACHABLE)
    app = create_app(
        Settings(env="test", database_url=UNREACHABLE, run_worker=False),
        create_sessionmaker(engine),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/api/v1/me", {}),
        ("GET", "/api/v1/applications", {}),  # the list's fast path
        ("POST", "/api/v1/applications", {"Idempotency-Key": "k1"}),  # the middleware's query
        ("POST", "/api/v1/auth/token", {}),
    ],
)
async def test_requests_get_503_problem_with_retry_after(
    offline_client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    kwargs: dict[str, object] = {"headers": {"Authorization": "Bearer fu_x", **headers}}
    if path.endswith("/token"):
        kwargs["data"] = {"username": "a@example.com", "password": "x" * 12}
    elif method == "POST":
        kwargs["json"] = {"company": "Acme", "role_title": "Engineer"}
    with caplog.at_level(logging.WARNING, logger="followup.errors"):
        response = await offline_client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["status"] == 503
    # Logged as one line for operators, without a traceback.
    records = [r for r in caplog.records if r.name == "followup.errors"]
    assert records
    assert all(r.exc_info is None for r in records)


def _disconnect() -> sa.DBAPIError:
    return sa.DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True)


def _wrapped(inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("while loading") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (_disconnect(), True),
        (sa.DBAPIError("SELECT 1", None, Exception("syntax"), connection_invalidated=False), False),
        (ConnectionRefusedError(111, "refused"), True),
        (OSError("Multiple exceptions: [Errno 111] Connect call failed"), True),
        (pg.CannotConnectNowError("the database system is starting up"), True),
        (pg.AdminShutdownError("terminating connection due to administrator command"), True),
        (pg.TooManyConnectionsError("sorry, too many clients already"), True),
        (pg.UniqueViolationError("duplicate key"), False),
        (_wrapped(pg.ConnectionDoesNotExistError("connection was closed")), True),
        (FileNotFoundError("template.html"), False),
        (ValueError("bug"), False),
    ],
)
def test_what_counts_as_the_database_being_unavailable(
    exc: BaseException, unavailable: bool
) -> None:
    assert is_database_unavailable(exc) is unavailable
