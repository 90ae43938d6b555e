"""The committed openapi/openapi.json is exactly what the app serves."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from app.openapi import render_openapi

pytestmark = pytest.mark.anyio
COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_schema_matches_the_app() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(), (
        "openapi/openapi.json is stale: run `.venv/bin/followup openapi` and commit it"
    )


async def test_served_schema_is_the_committed_one(client: httpx.AsyncClient) -> None:
    served = (await client.get("/openapi.json")).json()
    assert served == json.loads(COMMITTED.read_text(encoding="utf-8"))
