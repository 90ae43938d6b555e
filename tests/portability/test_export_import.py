"""GET /export and POST /import: lossless round trips, all-or-nothing imports."""

from __future__ import annotations

import copy
import json
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message

from app.core.config import Settings
from app.main import create_app
from app.models import Integration, WebhookSubscription
from app.portability import csv_export as csv_module
from app.portability import export as export_module
from app.portability.schemas import ExportDocument
from tests.dbstate import snapshot
from tests.factories import UserWithToken
from tests.helpers import assert_problem
from tests.portability.account import API, build_account

pytestmark = pytest.mark.anyio
ITEM_LISTS = ("interviewers", "interviews", "events")


async def export(client: httpx.AsyncClient, who: UserWithToken) -> dict[str, Any]:
    r = await client.get(f"{API}/export", headers=who.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment;")
    doc: dict[str, Any] = r.json()
    return doc


def id_pairs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Old id -> new id, pairing items by position (exports list things oldest first)."""
    pairs = {}
    assert len(old["references"]) == len(new["references"])
    for a, b in zip(old["references"], new["references"], strict=True):
        pairs[a["id"]] = b["id"]
    for a, b in zip(old["applications"], new["applications"], strict=True):
        pairs[a["id"]] = b["id"]
        for kind in ITEM_LISTS:
            for x, y in zip(a[kind], b[kind], strict=True):
                pairs[x["id"]] = y["id"]
    assert len(set(pairs.values())) == len(pairs), "the remapping must be one-to-one"
    return pairs


def renamed(value: Any, pairs: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: renamed(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        items = [renamed(v, pairs) for v in value]
        # Id lists (reference_ids, interviewer_ids) are exported sorted by id.
        return (
            sorted(items)
            if all(isinstance(i, str) and i in pairs.values() for i in items)
            else items
        )
    if isinstance(value, str):
        return pairs.get(value, value)
    return value


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc["exported_at"]
    # The account keeps its own email and creation time; name and timezone are restored.
    del doc["profile"]["email"], doc["profile"]["created_at"]
    for state in doc["recommendation_states"]:
        del state["recommendation_id"]  # derived from the ids; compared through `about`
    return doc


async def test_export_has_everything_the_user_owns_and_nothing_else(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    made = await build_account(client, alice)
    await build_account(client, bob)
    doc = await export(client, alice)

    assert doc["format"] == "followup.export"
    assert doc["format_version"] == 1
    assert doc["profile"]["email"] == "alice@example.com"
    assert [r["name"] for r in doc["references"]] == ["Margaret Hamilton", "Linus"]
    globex, initech = doc["applications"]
    assert globex["id"] == made["globex"]["id"]
    assert globex["reference_ids"] == [made["reference"]["id"]]
    assert [p["name"] for p in globex["interviewers"]] == ["Grace", "Ada"]
    assert len(globex["interviews"][0]["interviewer_ids"]) == 2
    # Its first interview moved it from applied to interviewing.
    assert {e["type"] for e in globex["events"]} == {
        "status_changed",
        "thank_you_email",
        "reference_heads_up",
    }
    reply, change = initech["events"]
    assert (reply["type"], reply["response"]) == ("reply_received", "rejection")
    assert (change["type"], change["from_status"], change["to_status"]) == (
        "status_changed",
        "applied",
        "rejected",
    )
    states = doc["recommendation_states"]
    assert {s["about"]["rule"] for s in states} == {"send_handwritten_note", "send_thank_you_email"}
    text = str(doc)
    for secret in ("password", "token", alice.token, "bob@example.com"):
        assert secret not in text


async def test_the_account_fills_in_every_field(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    """The round trips below prove a field survives only if the account has a value for it:
    a new field needs one in tests/portability/account.py."""
    await build_account(client, alice)
    doc = await export(client, alice)
    items: dict[str, list[dict[str, Any]]] = {
        "references": doc["references"],
        "applications": doc["applications"],
    }
    for kind in ITEM_LISTS:
        items[kind] = [item for a in doc["applications"] for item in a[kind]]

    def unset(value: Any) -> bool:
        return value is None or value is False or value == []

    never_set = {
        kind: sorted(name for name in rows[0] if all(unset(row[name]) for row in rows))
        for kind, rows in items.items()
    }
    assert never_set == {kind: [] for kind in items}


async def test_import_into_another_account_remaps_ids_and_loses_nothing(
    client: httpx.AsyncClient, alice: UserWithToken, bob: UserWithToken
) -> None:
    await build_account(client, alice)
    original = await export(client, alice)

    r = await client.post(f"{API}/import", json=original, headers=bob.headers)

    assert r.status_code == 200, r.text
    assert r.json() == {
        "ids": "remapped",  # Alice's rows still hold the ids on this server
        "references": 2,
        "applications": 2,
        "interviewers": 2,
        "interviews": 2,
        "events": 5,
        "recommendation_states": 2,
        "skipped_recommendation_states": 0,
        "not_restored": [],
    }
    copied = await export(client, bob)
    pairs = id_pairs(original, copied)
    assert not set(pairs) & set(pairs.values())
    assert comparable(copied) == renamed(comparable(original), pairs)
    # The dismissed and snoozed steps stay hidden for Bob too.
    bob_steps = (await client.get(f"{API}/recommendations", headers=bob.headers)).json()
    alice_steps = (await client.get(f"{API}/recommendations", headers=alice.headers)).json()
    assert sorted(s["rule"] for s in bob_steps["items"]) == sorted(
        s["rule"] for s in alice_steps["items"]
    )


async def test_import_keeps_ids_when_they_are_free(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    await build_account(client, alice)
    original = await export(client, alice)
    for app in original["applications"]:
        assert (
            await client.delete(f"{API}/applications/{app['id']}", headers=alice.headers)
        ).status_code == 204
    for ref in original["references"]:
        assert (
            await client.delete(f"{API}/references/{ref['id']}", headers=alice.headers)
        ).status_code == 204

    r = await client.post(f"{API}/import", json=original, headers=alice.headers)

    assert r.status_code == 200, r.text
    assert r.json()["ids"] == "kept"
    restored = await export(client, alice)
    del original["exported_at"], restored["exported_at"]
    assert restored == original
    app_id = original["applications"][0]["id"]
    assert (
        await client.get(f"{API}/applications/{app_id}", headers=alice.headers)
    ).status_code == 200


async def test_import_into_an_account_with_data_is_409_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, bob: UserWithToken
) -> None:
    await build_account(client, alice)
    doc = await export(client, alice)
    await client.post(f"{API}/references", json={"name": "Only one"}, headers=bob.headers)
    before = await snapshot(session)
    assert_problem(await client.post(f"{API}/import", json=doc, headers=bob.headers), 409)
    assert await snapshot(session) == before


@pytest.mark.parametrize(
    ("break_it", "loc"),
    [
        (
            lambda d: d["applications"][1]["interviews"].append(
                {**d["applications"][0]["interviews"][0], "starts_at": "2026-01-01T10:00:00"}
            ),
            "body.applications.1.interviews.0.starts_at",
        ),
        (
            lambda d: d["applications"][0]["interviews"][0]["interviewer_ids"].append(
                d["applications"][0]["id"]
            ),
            "body.applications.0.interviews.0.interviewer_ids.2",
        ),
        (
            lambda d: d["applications"][0]["reference_ids"].append(
                "00000000-0000-4000-8000-000000000000"
            ),
            "body.applications.0.reference_ids.1",
        ),
        (
            lambda d: d["applications"][1]["events"][0].update(
                {"interview_id": d["applications"][0]["interviews"][0]["id"]}
            ),
            "body.applications.1.events.0.interview_id",
        ),
        (
            lambda d: d["references"].append(dict(d["references"][0])),
            "body.references.2.id",
        ),
        (lambda d: d["applications"][0].update({"owner_id": "x"}), "body.applications.0.owner_id"),
        (lambda d: d.update({"format_version": 2}), "body.format_version"),
        (lambda d: d["applications"][0].update({"status": "hired"}), "body.applications.0.status"),
    ],
)
async def test_a_bad_document_is_422_with_where_and_writes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: UserWithToken,
    bob: UserWithToken,
    break_it: Any,
    loc: str,
) -> None:
    await build_account(client, alice)
    doc = await export(client, alice)
    break_it(doc)
    before = await snapshot(session)
    r = await client.post(f"{API}/import", json=doc, headers=bob.headers)
    body = assert_problem(r, 422)
    locs = [".".join(map(str, e["loc"])) for e in body["errors"]]
    assert loc in locs, locs
    assert await snapshot(session) == before


async def test_import_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post(f"{API}/import", json={}), 401)
    assert_problem(await client.get(f"{API}/export"), 401)


async def test_webhooks_and_integrations_are_listed_without_secrets_and_not_recreated(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken, bob: UserWithToken
) -> None:
    session.add_all(
        [
            WebhookSubscription(
                owner_id=alice.user.id,
                url="https://hooks.example.com/followup",
                events=["*"],
                secret="whsec_c2VjcmV0LXNob3VsZC1uZXZlci1sZWF2ZQ==",
            ),
            Integration(owner_id=alice.user.id, name="greenhouse", secret="whsec_aW50ZWdyYXRpb24="),
        ]
    )
    await session.commit()
    doc = await export(client, alice)
    assert [(w["url"], w["events"]) for w in doc["webhooks"]] == [
        ("https://hooks.example.com/followup", ["*"])
    ]
    assert [i["name"] for i in doc["integrations"]] == ["greenhouse"]
    assert "whsec_" not in str(doc)

    r = await client.post(f"{API}/import", json=doc, headers=bob.headers)

    assert r.status_code == 200, r.text
    assert r.json()["not_restored"] == [
        "webhook https://hooks.example.com/followup",
        "integration greenhouse",
    ]
    copied = await export(client, bob)
    assert copied["webhooks"] == copied["integrations"] == []


async def asgi_pieces(app: ASGIApp, path: str, who: UserWithToken) -> list[bytes]:
    """The body of a GET as the app sends it: piece by piece (httpx joins them)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), (b"authorization", f"Bearer {who.token}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    asked = False
    pieces: list[bytes] = []

    async def receive() -> Message:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()  # the client stays: no disconnect
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        elif message.get("body"):
            pieces.append(message["body"])

    await app(scope, receive, send)
    return pieces


async def test_the_export_is_streamed_and_is_the_models_own_document(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    alice: UserWithToken,
    bob: UserWithToken,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read one row per batch and sent one item per piece, it is the same document,
    parsed and compared, as when it all fits in one batch and one piece; and exactly
    what the `ExportDocument` model makes of it, so it re-imports."""
    await build_account(client, alice)
    await build_account(client, bob)  # Bob's rows among Alice's
    whole = await client.get(f"{API}/export", headers=alice.headers)
    assert whole.headers["content-type"] == "application/json"
    monkeypatch.setattr(export_module, "BATCH", 1)
    monkeypatch.setattr(export_module, "PIECE_BYTES", 1)

    pieces = await asgi_pieces(create_app(settings, sessionmaker), f"{API}/export", alice)

    assert len(pieces) > 10
    streamed, expected = json.loads(b"".join(pieces)), whole.json()
    del streamed["exported_at"], expected["exported_at"]
    assert streamed == expected
    assert ExportDocument.model_validate_json(whole.content).model_dump(mode="json") == whole.json()


async def test_the_csv_is_streamed_a_batch_of_applications_at_a_time(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    alice: UserWithToken,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await build_account(client, alice)
    whole = await client.get(f"{API}/export/applications.csv", headers=alice.headers)
    monkeypatch.setattr(csv_module, "BATCH", 1)

    path = f"{API}/export/applications.csv"
    pieces = await asgi_pieces(create_app(settings, sessionmaker), path, alice)

    assert len(pieces) == 2  # the header with the first application, then the second
    assert b"".join(pieces) == whole.content
