"""Webhook and integration secrets are stored encrypted; new keys go first, old ones still
read, and `followup rotate-keys` moves every stored secret to the newest key."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from app.cli import main
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker
from app.core.encryption import Keyring, UnreadableSecret, current_keyring
from app.core.key_rotation import rotate_stored_secrets
from app.core.migrations import upgrade_to_head
from app.models import Integration, WebhookSubscription
from tests.factories import UserWithToken, create_integration, create_user, create_webhook
from tests.helpers import using_keys

pytestmark = pytest.mark.anyio


def new_key() -> str:
    return Fernet.generate_key().decode()


async def stored(session: AsyncSession, model: type[Any], row_id: uuid.UUID) -> str:
    """The secret column as the database holds it, not decrypted."""
    raw = await session.scalar(
        select(type_coerce(model.secret, String())).where(model.id == row_id)
    )
    assert isinstance(raw, str)
    return raw


def test_production_refuses_to_start_without_encryption_keys() -> None:
    with pytest.raises(ValidationError, match="FOLLOWUP_ENCRYPTION_KEYS"):
        Settings(env="production", secret_key="s" * 40)
    key = new_key()
    settings = Settings(env="production", secret_key="s" * 40, encryption_keys=key)
    assert settings.encryption_key_list == [key]


def test_keys_are_comma_separated_and_must_be_fernet_keys() -> None:
    first, second = new_key(), new_key()
    assert Settings(encryption_keys=f"{first}, {second}").encryption_key_list == [first, second]
    with pytest.raises(ValidationError, match="32 url-safe base64-encoded bytes"):
        Settings(encryption_keys="not-a-key")


def test_without_keys_development_derives_one_from_the_secret_key() -> None:
    one = Settings(secret_key="one").encryption_key_list
    assert one == Settings(secret_key="one").encryption_key_list
    assert one != Settings(secret_key="two").encryption_key_list
    Keyring(one)  # a valid Fernet key


def test_the_newest_key_encrypts_and_every_key_decrypts() -> None:
    old, new = new_key(), new_key()
    token = Keyring([old]).encrypt("whsec_abc")
    assert "whsec_abc" not in token
    rotated = Keyring([new, old])
    assert rotated.decrypt(token) == "whsec_abc"
    assert Keyring([new]).decrypt(rotated.encrypt("whsec_abc")) == "whsec_abc"
    with pytest.raises(UnreadableSecret, match="rotate-keys"):
        Keyring([new]).decrypt(token)


async def test_api_secrets_are_stored_encrypted(
    local_client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    hook = (
        await local_client.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["*"]},
            headers=alice.headers,
        )
    ).json()
    integration = (
        await local_client.post("/api/v1/integrations", json={"name": "ats"}, headers=alice.headers)
    ).json()
    for model, created in ((WebhookSubscription, hook), (Integration, integration)):
        raw = await stored(session, model, uuid.UUID(created["id"]))
        assert created["secret"].startswith("whsec_")
        assert created["secret"] not in raw
        assert current_keyring().decrypt(raw) == created["secret"]


def _signed(secret: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    at = datetime.now(UTC)
    msg_id = f"msg_{uuid.uuid4().hex}"
    return body, {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
        "content-type": "application/json",
    }


async def test_inbound_verifies_with_an_old_key_before_and_the_new_one_after_rotation(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    old, new = new_key(), new_key()
    payload = {
        "type": "application.upserted",
        "timestamp": "2026-11-26T10:00:00Z",
        "data": {"application": {"external_id": "a-1", "company": "Acme", "role_title": "Dev"}},
    }
    with using_keys(old):
        integration = await create_integration(session, alice.user)
    secret, url = integration.secret, f"/api/v1/inbound/{integration.id}"
    with using_keys(new, old) as keyring:
        body, headers = _signed(secret, payload)
        r = await client.post(url, content=body, headers=headers)
        assert r.status_code == 202, r.text
        assert await rotate_stored_secrets(session, keyring) == 1
    with using_keys(new):  # the old key is gone: the rotated row doesn't need it
        assert Keyring([new]).decrypt(await stored(session, Integration, integration.id))
        body, headers = _signed(secret, payload)
        r = await client.post(url, content=body, headers=headers)
        assert r.status_code == 202, r.text


async def test_rotation_rewrites_every_secret_under_the_newest_key(session: AsyncSession) -> None:
    old, new = new_key(), new_key()
    user = await create_user(session)
    with using_keys(old):
        hooks = [await create_webhook(session, user) for _ in range(2)]
        integration = await create_integration(session, user)
    secrets = {row.id: row.secret for row in [*hooks, integration]}
    with using_keys(new, old) as keyring:
        assert await rotate_stored_secrets(session, keyring) == 3
    for model, row_id in [(WebhookSubscription, h.id) for h in hooks] + [
        (Integration, integration.id)
    ]:
        assert Keyring([new]).decrypt(await stored(session, model, row_id)) == secrets[row_id]


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_to_head(url)
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


async def _stored_webhook(url: str, keyring: Keyring) -> tuple[uuid.UUID, str]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            with using_keys(*keyring.keys):
                hook = await create_webhook(session, await create_user(session))
            return hook.id, hook.secret
    finally:
        await engine.dispose()


async def _raw_secret(url: str, hook_id: uuid.UUID) -> str:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await stored(session, WebhookSubscription, hook_id)
    finally:
        await engine.dispose()


def test_rotate_keys_command(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = new_key(), new_key()
    hook_id, secret = asyncio.run(_stored_webhook(cli_database, Keyring([old])))

    monkeypatch.setenv("FOLLOWUP_ENCRYPTION_KEYS", f"{new},{old}")
    get_settings.cache_clear()
    assert main(["rotate-keys"]) == 0
    assert "re-encrypted 1 stored secrets" in capsys.readouterr().out
    assert Keyring([new]).decrypt(asyncio.run(_raw_secret(cli_database, hook_id))) == secret

    # The old key dropped too early: the command says so and changes nothing.
    monkeypatch.setenv("FOLLOWUP_ENCRYPTION_KEYS", old)
    get_settings.cache_clear()
    assert main(["rotate-keys"]) == 1
    assert "Nothing was changed" in capsys.readouterr().err
    assert Keyring([new]).decrypt(asyncio.run(_raw_secret(cli_database, hook_id))) == secret
