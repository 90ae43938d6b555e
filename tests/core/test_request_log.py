"""One JSON line per request, and X-Request-ID passed through or generated, on every response."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.request_log import configure_request_logging, loggable_path, logger
from app.main import create_app
from tests.factories import UserWithToken
from tests.helpers import assert_problem

pytestmark = pytest.mark.anyio
GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_a_request_is_one_json_line_with_a_generated_id(
    client: httpx.AsyncClient, alice: UserWithToken, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=logger.name):
        r = await client.get("/api/v1/applications?limit=5", headers=alice.headers)
    assert GENERATED.fullmatch(r.headers["x-request-id"])
    [record] = [rec for rec in caplog.records if rec.name == logger.name]
    line = json.loads(record.getMessage())
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/applications"  # no query string: it may carry secrets
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float | int)
    assert line["duration_ms"] >= 0
    assert line["request_id"] == r.headers["x-request-id"]
    assert line["user_id"] == str(alice.user.id)
    assert line["time"].endswith("+00:00")


async def test_the_line_keeps_a_path_as_it_was_sent(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A `%` is never taken for a format directive, and the line stays one JSON line."""
    with caplog.at_level(logging.INFO, logger=logger.name):
        r = await client.get("/no/such/100%25%20sure%s/%C3%A9%0A")
    assert r.status_code == 404
    [record] = [rec for rec in caplog.records if rec.name == logger.name]
    assert "\n" not in record.getMessage()
    assert json.loads(record.getMessage())["path"] == "/no/such/100% sure%s/é\n"
    assert record.request["path"] == "/no/such/100% sure%s/é\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["abc-123", "trace.01_X", "a" * 200])
async def test_a_sane_request_id_is_passed_through(
    client: httpx.AsyncClient, given: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=logger.name):
        r = await client.get("/healthz", headers={"X-Request-ID": given})
    assert r.headers["x-request-id"] == given
    assert [json.loads(rec.getMessage())["request_id"] for rec in caplog.records] == [given]


@pytest.mark.parametrize("given", ["", "has space", "a" * 201, 'quote"d', "new\\nline", "é"])
async def test_an_odd_request_id_is_replaced(client: httpx.AsyncClient, given: str) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": given.encode("utf-8")})
    assert GENERATED.fullmatch(r.headers["x-request-id"])
    assert r.headers.get_list("x-request-id") == [r.headers["x-request-id"]]


async def test_error_responses_carry_the_request_id(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    headers = {**alice.headers, "X-Request-ID": "req-1"}
    unauthorised = await client.get("/api/v1/applications", headers={"X-Request-ID": "req-1"})
    assert_problem(unauthorised, 401)
    missing = await client.get("/api/v1/nowhere", headers=headers)
    assert_problem(missing, 404)
    invalid = await client.post("/api/v1/applications", json={}, headers=headers)
    assert_problem(invalid, 422)
    too_big = await client.post(
        "/api/v1/applications", content=b" " * (1024 * 1024 + 1), headers=headers
    )
    assert_problem(too_big, 413)
    for response in (unauthorised, missing, invalid, too_big):
        assert response.headers["x-request-id"] == "req-1"


async def test_an_unhandled_error_is_a_500_with_the_request_id_and_is_logged(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(settings, sessionmaker)

    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/v1/boom", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.INFO, logger=logger.name):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            r = await c.get("/api/v1/boom", headers={"X-Request-ID": "req-500"})
    assert_problem(r, 500)
    assert r.headers["x-request-id"] == "req-500"
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == logger.name]
    assert [(x["path"], x["status"], x["request_id"]) for x in lines] == [
        ("/api/v1/boom", 500, "req-500")
    ]


def test_the_calendar_feed_secret_is_never_logged() -> None:
    assert loggable_path("/api/v1/calendar/feed/s3cr3t.ics") == "/api/v1/calendar/feed/<redacted>"
    assert loggable_path("/api/v1/calendar/feed") == "/api/v1/calendar/feed"


async def test_serve_logging_writes_bare_json_lines_to_stdout(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        configure_request_logging()
        configure_request_logging()  # idempotent: still one handler, one line per request
        await client.get("/healthz", headers={"X-Request-ID": "stdout-1"})
        out = capsys.readouterr().out.splitlines()
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
    assert len(out) == 1
    assert json.loads(out[0])["request_id"] == "stdout-1"
