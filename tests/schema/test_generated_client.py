"""A Python client generated from openapi/openapi.json works against the app.

Runs once (not per database): it is about the schema, not the storage. The generator
runs offline (proxies pointed at a closed port, so any download attempt would fail)
into a temporary folder; the generated client then signs up, signs in, creates an
application and lists it, through an httpx ASGI transport into the real app on a
throwaway migrated SQLite database.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.migrations import upgrade_to_head
from app.main import create_app

pytestmark = pytest.mark.anyio
SCHEMA = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
PACKAGE = "followup_client"
OFFLINE = "http://127.0.0.1:9"  # the discard port: nothing listens, so nothing downloads


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("client")
    config = folder / "config.yaml"
    # No post hooks: formatting the generated code is not what this test is about.
    config.write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n", encoding="utf-8")
    env = {**os.environ, "HTTP_PROXY": OFFLINE, "HTTPS_PROXY": OFFLINE, "NO_PROXY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(SCHEMA),
         "--output-path", str(folder / "out"), "--config", str(config)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout
    sys.path.insert(0, str(folder / "out"))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(folder / "out"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def database_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'client.db'}"
    upgrade_to_head(url)  # runs its own event loop: done before the test's starts
    return url


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


async def test_a_generated_client_creates_and_lists_an_application(
    generated: str, database_file: str
) -> None:
    url = database_file
    engine = create_engine(url)
    app = create_app(
        Settings(env="test", database_url=url, run_worker=False), create_sessionmaker(engine)
    )
    transport = httpx.ASGITransport(app=app)
    client_module = module("client")
    models = module("models")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            anonymous = client_module.Client(base_url="http://test")
            anonymous.set_async_httpx_client(http)
            user = await module("api.auth.register").asyncio(
                client=anonymous,
                body=models.RegisterIn(
                    email="gen@example.com", password="generated client", name="Gen"
                ),
            )
            assert isinstance(user, models.UserOut), user
            grant = await module("api.auth.create_access_token").asyncio(
                client=anonymous,
                body=models.BodyCreateAccessToken(
                    username="gen@example.com", password="generated client"
                ),
            )
            assert isinstance(grant, models.TokenGrant), grant

        headers = {"Authorization": f"Bearer {grant.access_token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as http:
            client = client_module.AuthenticatedClient(
                base_url="http://test", token=grant.access_token
            )
            client.set_async_httpx_client(http)
            created = await module("api.applications.create_application").asyncio(
                client=client,
                body=models.ApplicationCreate(company="Acme Corp", role_title="Backend Engineer"),
                idempotency_key="client-test-1",
            )
            assert isinstance(created, models.ApplicationOut), created
            assert created.status == models.ApplicationStatus.APPLIED
            page = await module("api.applications.list_applications").asyncio(client=client)
            assert isinstance(page, models.PageApplicationOut), page
            assert [a.id for a in page.items] == [created.id]
            assert page.next_cursor is None

            missing = await module("api.applications.get_application").asyncio(
                client=client, application_id="00000000-0000-4000-8000-000000000000"
            )
            assert isinstance(missing, models.Problem)  # errors parse as problem documents
            assert missing.status == 404
    finally:
        await engine.dispose()
