"""Settings → Your data: the same downloads as the API, and an import whose every
problem is told on the page with nothing changed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Application, Event
from tests.dbstate import snapshot
from tests.factories import UserWithToken, create_reference, create_user
from tests.portability.account import API, build_account
from tests.web.helpers import Browser, assert_html, field_error, flash_of, sign_in, text_of

pytestmark = pytest.mark.anyio


async def exported(client: httpx.AsyncClient, who: UserWithToken) -> dict[str, Any]:
    await build_account(client, who)
    r = await client.get(f"{API}/export", headers=who.headers)
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


async def newcomer(client: httpx.AsyncClient, session: AsyncSession) -> Browser:
    """Someone just signed up, with nothing in their account yet."""
    return await sign_in(client, session, await create_user(session, email="new@example.com"))


async def upload(
    web: Browser, content: bytes, name: str = "followup-export.json"
) -> httpx.Response:
    return await web.client.post(
        "/settings/data/import",
        data={"csrf_token": web.csrf},
        files={"file": (name, content, "application/json")},
    )


def summary_items(page: str) -> list[str]:
    found = page.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [text_of(item) for item in found.split("<li>")[1:]]


async def test_downloads_are_the_apis_exports(
    client: httpx.AsyncClient, alice: UserWithToken, web: Browser
) -> None:
    api = await exported(client, alice)
    r = await web.get("/settings/data/followup-export.json")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith('attachment; filename="followup-export-')
    mine = r.json()
    del api["exported_at"], mine["exported_at"]
    assert mine == api
    csv = await web.get("/settings/data/applications.csv")
    api_csv = await client.get(f"{API}/export/applications.csv", headers=alice.headers)
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content == api_csv.content
    page = assert_html(await web.get("/settings/data"), 200)
    assert 'href="/settings/data/followup-export.json"' in page
    assert 'href="/settings/data/applications.csv"' in page


async def test_an_export_restores_into_an_empty_account(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    web = await newcomer(client, session)
    page = assert_html(await web.get("/settings/data"), 200)
    assert 'enctype="multipart/form-data"' in page
    r = await upload(web, json.dumps(doc).encode())
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/applications"
    listing = assert_html(await web.get("/applications"), 200)
    applications = len(doc["applications"])
    events = sum(len(a["events"]) for a in doc["applications"])
    assert flash_of(listing) == (
        f"Imported {applications} applications, "
        f"{sum(len(a['interviews']) for a in doc['applications'])} interviews, "
        f"{events} timeline entries, {len(doc['references'])} references."
    )
    mine = Application.owner_id == web.user.id
    assert await session.scalar(select(func.count()).select_from(Application).where(mine)) == (
        applications
    )
    assert (
        await session.scalar(select(func.count()).select_from(Event).join(Application).where(mine))
        == events
    )
    again = assert_html(await web.get("/settings/data"), 200)
    assert "already has applications" in text_of(again)
    assert 'action="/settings/data/import"' not in again


async def test_an_account_with_data_is_told_and_kept(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    web = await newcomer(client, session)
    await create_reference(session, web.user, name="Linus")
    before = await snapshot(session)
    page = assert_html(await upload(web, json.dumps(doc).encode()), 409)
    assert field_error(page, "f-file") == (
        "This account already has references: import only into an empty account "
        "(no applications or references yet)."
    )
    assert await snapshot(session) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This is not a JSON file"),
        (b"name,company\nAda,Acme\n", "This is not a JSON file"),
        (b"\x80\x81 not UTF-8", "This is not a JSON file"),
        (b"[]", "This JSON is not a Followup export"),
        (b"null", "This JSON is not a Followup export"),
    ],
)
async def test_a_file_that_is_not_json_is_told(
    client: httpx.AsyncClient, session: AsyncSession, content: bytes, message: str
) -> None:
    web = await newcomer(client, session)
    before = await snapshot(session)
    page = assert_html(await upload(web, content, "people.csv"), 422)
    error = field_error(page, "f-file")
    assert error is not None
    assert error.startswith(message)
    assert await snapshot(session) == before


async def test_an_export_saved_with_a_byte_order_mark_imports(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    web = await newcomer(client, session)
    r = await upload(web, b"\xef\xbb\xbf" + json.dumps(doc).encode())
    assert r.status_code == 303, r.text
    mine = Application.owner_id == web.user.id
    assert await session.scalar(select(func.count()).select_from(Application).where(mine)) == (
        len(doc["applications"])
    )


async def test_a_form_too_many_parts_for_the_parser_is_a_bad_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    web = await newcomer(client, session)
    before = await snapshot(session)
    r = await web.client.post(
        "/settings/data/import",
        data={"csrf_token": web.csrf},
        files=[("file", (f"{i}.json", b"{}", "application/json")) for i in range(1001)],
    )
    assert_html(r, 400)
    assert await snapshot(session) == before


async def test_each_problem_in_the_document_is_told_with_where(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    doc["applications"][1]["status"] = "hired"
    doc["applications"][0]["events"][0]["occurred_at"] = "yesterday"
    web = await newcomer(client, session)
    before = await snapshot(session)
    page = assert_html(await upload(web, json.dumps(doc).encode()), 422)
    assert field_error(page, "f-file") == ("Nothing was imported: the file has 2 problems.")
    items = summary_items(page)
    assert any(i.startswith("applications[1].status: Input should be") for i in items), items
    assert any(i.startswith("applications[0].events[0].occurred_at:") for i in items), items
    assert await snapshot(session) == before


async def test_a_document_that_contradicts_itself_is_told(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    doc["applications"][0]["reference_ids"] = ["00000000-0000-4000-8000-000000000000"]
    web = await newcomer(client, session)
    before = await snapshot(session)
    page = assert_html(await upload(web, json.dumps(doc).encode()), 422)
    assert field_error(page, "f-file") == ("Nothing was imported: the file has one problem.")
    (item,) = summary_items(page)[:1]
    assert item.startswith("applications[0].reference_ids[0]:")
    assert await snapshot(session) == before


async def test_no_file_chosen(client: httpx.AsyncClient, session: AsyncSession) -> None:
    web = await newcomer(client, session)
    page = assert_html(await web.post("/settings/data/import"), 422)
    assert field_error(page, "f-file") == "Choose the file to import."


async def test_a_file_over_the_limit_is_told_on_the_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    web = await newcomer(client, session)
    before = await snapshot(session)
    page = assert_html(await upload(web, b" " * (1024 * 1024 + 1)), 413)
    error = field_error(page, "f-file")
    assert error is not None
    assert error.startswith("This file is larger than 1 MiB")
    assert await snapshot(session) == before
    # Elsewhere the limit still answers before any page or route reads the body.
    r = await web.client.post("/settings/tokens", content=b"x" * (1024 * 1024 + 1))
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


async def test_importing_needs_the_csrf_token(
    client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken
) -> None:
    doc = await exported(client, alice)
    web = await newcomer(client, session)
    before = await snapshot(session)
    r = await web.client.post(
        "/settings/data/import", files={"file": ("x.json", json.dumps(doc).encode())}
    )
    assert_html(r, 403)
    assert await snapshot(session) == before
