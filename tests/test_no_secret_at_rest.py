"""A copy of the database holds no secret in a form that gives it back.

Every credential the app hands out is issued here the way a client gets it (with and
without an `Idempotency-Key`, whose stored answers are part of the database too), then
every column of every row of every table is read as stored, through reflected tables
that know nothing of the models' column types, and searched for each credential.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.web import sessions
from tests.factories import DEFAULT_PASSWORD, UserWithToken
from tests.web.helpers import csrf_of

pytestmark = pytest.mark.anyio


async def _dump(connection: AsyncConnection) -> str:
    """Every value in the database, as text, one per line."""
    metadata = MetaData()
    await connection.run_sync(lambda sync: metadata.reflect(sync))
    assert "webhook_subscriptions" in metadata.tables
    lines = []
    for table in metadata.sorted_tables:
        for row in (await connection.execute(select(table))).all():
            for value in row:
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", errors="replace")
                lines.append(f"{table.name}: {value}")
    return "\n".join(lines)


def _key_forms(secret: str) -> list[str]:
    """A `whsec_` secret, its base64 body, and the key bytes in hex."""
    body = secret.removeprefix("whsec_")
    return [secret, body, base64.b64decode(body).hex()]


async def test_no_credential_is_stored_in_the_clear(
    local_client: httpx.AsyncClient, connection: AsyncConnection, alice: UserWithToken
) -> None:
    client = local_client
    secrets: dict[str, str] = {"password": DEFAULT_PASSWORD}
    for key in (None, "first-try"):
        label = "replayable " if key else ""
        headers = {**alice.headers, **({"Idempotency-Key": key} if key else {})}

        r = await client.post("/api/v1/tokens", json={"name": "script"}, headers=headers)
        assert r.status_code == 201, r.text
        secrets[f"{label}personal token"] = r.json()["token"]

        r = await client.post(
            "/api/v1/auth/token",
            data={"username": "alice@example.com", "password": DEFAULT_PASSWORD},
            headers={"Idempotency-Key": key} if key else {},
        )
        assert r.status_code == 200, r.text
        secrets[f"{label}access token"] = r.json()["access_token"]

        r = await client.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["*"]},
            headers={**headers, **({"Idempotency-Key": f"{key}-hook"} if key else {})},
        )
        assert r.status_code == 201, r.text
        for n, form in enumerate(_key_forms(r.json()["secret"])):
            secrets[f"{label}webhook secret ({n})"] = form

        r = await client.post(
            "/api/v1/integrations",
            json={"name": f"ats {label}"},
            headers={**headers, **({"Idempotency-Key": f"{key}-ats"} if key else {})},
        )
        assert r.status_code == 201, r.text
        for n, form in enumerate(_key_forms(r.json()["secret"])):
            secrets[f"{label}integration secret ({n})"] = form

        r = await client.post(
            "/api/v1/calendar/feed",
            headers={**headers, **({"Idempotency-Key": f"{key}-feed"} if key else {})},
        )
        assert r.status_code == 201, r.text
        secrets[f"{label}calendar feed secret"] = r.json()["url"].rsplit("/", 1)[1]

        login = csrf_of((await client.get("/login")).text)
        r = await client.post(
            "/login",
            data={"csrf_token": login, "email": "alice@example.com", "password": DEFAULT_PASSWORD},
        )
        assert r.status_code == 303, r.text
        cookie = client.cookies.get(sessions.COOKIE_NAME)
        assert cookie
        secrets[f"{label}session id"] = cookie
        client.cookies.clear()

    dump = await _dump(connection)
    for needle in secrets.values():
        assert len(needle) >= 10
    leaked = sorted(name for name, needle in secrets.items() if needle in dump)
    assert not leaked, leaked
