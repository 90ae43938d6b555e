"""The create's fast path (app/applications/create_fast_path.py) against the route itself.

Two apps as `followup serve` builds them (each its own engine) on one database of
their own: one as served, one with the fast path off. The same request goes to
both, each for an owner of its own (a create writes, and an external_id is unique
per owner), and their answers must be the same bytes, status and headers, bar what
is new in each row (its id, its timestamps) and the request id. A spy on what the
fast path hands on shows which requests it answered. It answers only on PostgreSQL
(asyncpg's pool); on SQLite every create goes to the route.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.applications.create_fast_path import CreateFastPath
from app.core.db import create_engine, create_sessionmaker
from app.models import ApiToken, Application, WebhookEvent
from tests.api.test_create_alone import _kinds, _user
from tests.api.test_list_fast_path import UNSTABLE_HEADERS, HandedOn
from tests.api.test_list_pooled import serving
from tests.databases import backend_of, migrated_database
from tests.factories import UserWithToken, create_reference
from tests.querycount import count_queries

pytestmark = pytest.mark.anyio

URL = "/api/v1/applications"
NEW_IN_EACH_ROW = ("id", "created_at", "updated_at")
BODY = {"company": "Acme", "role_title": "Engineer"}


@pytest.fixture(scope="module")
def own_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(backend_of(database_url), tmp_path_factory.mktemp("create")) as url:
        yield url


def _layer(app: FastAPI, kind: type) -> Any:
    layer: Any = app.middleware_stack
    while layer is not None and not isinstance(layer, kind):
        layer = getattr(layer, "app", None)
    return layer


class Spy(HandedOn):
    """Counts the creates the fast path hands on."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)


@dataclass
class Apps:
    fast_app: FastAPI
    fast: httpx.AsyncClient  # as served
    route: httpx.AsyncClient  # the fast path off
    spy: Spy
    answers: bool  # whether the fast path answers at all on this backend

    @property
    def engine(self) -> AsyncEngine:
        engine: AsyncEngine = self.fast_app.state.sessionmaker.kw["bind"]
        return engine


@pytest.fixture(scope="module")
async def apps(own_database: str) -> AsyncIterator[Apps]:
    async with (
        serving(own_database) as (fast_app, fast),
        serving(own_database, create_fast_path=False) as (route_app, route),
    ):
        await fast.get("/healthz")  # builds the middleware stacks
        await route.get("/healthz")
        assert _layer(route_app, CreateFastPath) is None
        fast_path = _layer(fast_app, CreateFastPath)
        spy = fast_path.app = Spy(fast_path.app)
        yield Apps(fast_app, fast, route, spy, backend_of(own_database) == "postgresql")


@dataclass
class Owners:
    fast: UserWithToken  # the fast app's caller
    route: UserWithToken  # the route app's, set up the same way


async def _owners(apps: Apps, own_database: str, *, subscribed: bool = False) -> Owners:
    made = []
    for app in (apps.fast, apps.route):
        owner = await _user(own_database, f"{uuid.uuid4().hex}@example.com", subscribed=subscribed)
        # A token just used is not due its last_used_at write, which is the route's.
        (await app.get("/api/v1/me", headers=owner.headers)).raise_for_status()
        made.append(owner)
    return Owners(*made)


@pytest.fixture
async def owners(apps: Apps, own_database: str) -> Owners:
    return await _owners(apps, own_database)


async def _both(
    apps: Apps,
    owners: Owners,
    content: bytes | str,
    *,
    headers: dict[str, str] | None = None,
    auth: str | None = "Bearer {token}",
) -> tuple[httpx.Response, bool]:
    """The fast app's answer, checked against the route's; and whether it was handed on."""

    def sent(owner: UserWithToken) -> dict[str, str]:
        given = {"Content-Type": "application/json", **(headers or {})}
        if auth is not None:
            given["Authorization"] = auth.format(token=owner.token)
        return given

    before = apps.spy.lists
    fast = await apps.fast.post(URL, content=content, headers=sent(owners.fast))
    handed_on = apps.spy.lists - before
    assert handed_on in (0, 1)
    route = await apps.route.post(URL, content=content, headers=sent(owners.route))
    _same(fast, route)
    return fast, bool(handed_on)


def _same(fast: httpx.Response, route: httpx.Response) -> None:
    assert fast.status_code == route.status_code, (fast.text, route.text)
    expected, expected_headers = route.content, route.headers.multi_items()
    if route.status_code == 201:
        # What is new in each row may differ, and only that.
        theirs, ours = route.json(), fast.json()
        for field in NEW_IN_EACH_ROW:
            old, new = json.dumps(theirs[field]).encode(), json.dumps(ours[field]).encode()
            expected = expected.replace(old, new)
        expected_headers = [(k, v.replace(theirs["id"], ours["id"])) for k, v in expected_headers]
    assert fast.content == expected

    def stable(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in items if k not in UNSTABLE_HEADERS]

    assert stable(fast.headers.multi_items()) == stable(expected_headers)


FULL = {
    "company": "Ünïcode “Corp” </script>",
    "role_title": "Staff Engineer",
    "status": "interviewing",
    "job_url": "https://jobs.example.com/1?ref=a&b=c",
    "location": "Berlin (hybrid)",
    "notes": 'Line one\nline two \\ "quoted"',
    "recruiter_name": "Grace Hopper",
    "recruiter_email": "grace@example.com",
    "expected_response_by": "2026-12-04",
    "follow_up_channel": "email the recruiter",
    "second_round_expected": True,
    "references_requested_at": "2026-11-20T10:00:00+02:00",
    "external_id": "ats-1",
    "reference_ids": [],
}
ANSWERED = [
    json.dumps({"company": "Acme", "role_title": "Engineer"}),
    json.dumps(FULL),
    json.dumps({"company": "Acme", "role_title": "Engineer", "status": "offer", "notes": None}),
    ' {"role_title": "Engineer",\n "company": "Spaced"} ',
]
HANDED_ON = [
    "",
    "{",
    "[]",
    "null",
    json.dumps({"company": "Acme"}),
    json.dumps({"company": "", "role_title": "Engineer"}),
    json.dumps({"company": "x" * 10_000, "role_title": "Engineer"}),
    json.dumps({"company": "Acme", "role_title": "Engineer", "status": "bogus"}),
    json.dumps({"company": "Acme", "role_title": "Engineer", "surprise": 1}),
    json.dumps({"company": "Acme", "role_title": "Engineer", "reference_ids": ["nope"]}),
    json.dumps({"company": "Acme", "role_title": "Engineer", "recruiter_email": "no"}),
]


@pytest.mark.parametrize("content", ANSWERED)
async def test_a_valid_create_is_answered_as_the_route_answers_it(
    apps: Apps, owners: Owners, content: str
) -> None:
    answer, handed_on = await _both(apps, owners, content)
    assert answer.status_code == 201, answer.text
    assert handed_on is not apps.answers
    fetched = await apps.fast.get(answer.headers["Location"], headers=owners.fast.headers)
    assert fetched.json() == answer.json()
    assert fetched.headers["ETag"] == answer.headers["ETag"]


@pytest.mark.parametrize("content", HANDED_ON)
async def test_a_body_the_route_would_refuse_goes_to_it(
    apps: Apps, owners: Owners, content: str
) -> None:
    answer, handed_on = await _both(apps, owners, content)
    assert answer.status_code == 422, answer.text
    assert handed_on


@pytest.mark.parametrize(
    ("headers", "auth", "status"),
    [
        ({"Content-Type": "application/json; charset=utf-8"}, "Bearer {token}", 201),
        ({"Content-Type": "text/plain"}, "Bearer {token}", 422),
        ({}, None, 401),
        ({}, "Bearer not-a-token", 401),
        ({}, "Basic {token}", 401),
        ({}, "Bearer", 401),
    ],
)
async def test_other_headers_go_to_the_route_with_the_body(
    apps: Apps, owners: Owners, headers: dict[str, str], auth: str | None, status: int
) -> None:
    content = json.dumps({"company": "Acme", "role_title": "Engineer"})
    answer, handed_on = await _both(apps, owners, content, headers=headers, auth=auth)
    assert (answer.status_code, handed_on) == (status, True), answer.text


async def test_references_go_to_the_route(apps: Apps, owners: Owners, own_database: str) -> None:
    ids = []
    engine = create_engine(own_database)
    try:
        async with create_sessionmaker(engine)() as session:
            for owner in (owners.fast, owners.route):
                ids.append(str((await create_reference(session, owner.user)).id))
    finally:
        await engine.dispose()
    before = apps.spy.lists
    body = {"company": "Acme", "role_title": "Engineer", "reference_ids": [ids[0]]}
    answer = await apps.fast.post(URL, json=body, headers=owners.fast.headers)
    assert (answer.status_code, apps.spy.lists - before) == (201, 1), answer.text
    assert answer.json()["reference_ids"] == [ids[0]]


async def test_a_taken_external_id_is_the_routes_409(apps: Apps, owners: Owners) -> None:
    content = json.dumps({"company": "Acme", "role_title": "Engineer", "external_id": "x-1"})
    first, handed_on = await _both(apps, owners, content)
    assert (first.status_code, handed_on) == (201, not apps.answers)
    for _ in range(2):  # the refused INSERT left its pooled connection fine for the next
        taken, handed_on = await _both(apps, owners, content)
        assert (taken.status_code, handed_on) == (409, True), taken.text


async def test_an_answered_create_is_two_statements_and_no_transaction(
    apps: Apps, owners: Owners, own_database: str, reader: AsyncEngine
) -> None:
    begun: list[str] = []
    start = asyncpg.transaction.Transaction.start

    async def counted(self: asyncpg.transaction.Transaction) -> None:
        begun.append("BEGIN")
        await start(self)

    before = apps.spy.lists
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asyncpg.transaction.Transaction, "start", counted)
        with count_queries(apps.engine) as statements:
            answer = await apps.fast.post(URL, json=BODY, headers=owners.fast.headers)
    assert answer.status_code == 201, answer.text
    assert apps.spy.lists - before == (0 if apps.answers else 1)
    # The token's check and the INSERT (SQLite's BEGIN IMMEDIATE aside: the route's).
    assert _kinds(statements) == ["SELECT", "INSERT"]
    assert begun == []  # PostgreSQL: no BEGIN, so no COMMIT; the INSERT committed itself
    assert await _stored(reader, owners.fast) == [uuid.UUID(answer.json()["id"])]


async def test_a_token_due_its_last_used_at_goes_to_the_route(
    apps: Apps, own_database: str, reader: AsyncEngine
) -> None:
    owner = await _user(own_database, "fresh@example.com")  # its token never used
    before = apps.spy.lists
    answer = await apps.fast.post(URL, json=BODY, headers=owner.headers)
    assert (answer.status_code, apps.spy.lists - before) == (201, 1), answer.text
    async with reader.connect() as conn:
        used = await conn.scalar(
            select(ApiToken.last_used_at).where(ApiToken.user_id == owner.user.id)
        )
    assert used is not None
    assert await _stored(reader, owner) == [uuid.UUID(answer.json()["id"])]


async def test_a_subscribers_create_goes_to_the_route_which_writes_its_event(
    apps: Apps, own_database: str, reader: AsyncEngine
) -> None:
    owner = (await _owners(apps, own_database, subscribed=True)).fast
    before = apps.spy.lists
    with count_queries(apps.engine) as statements:
        answer = await apps.fast.post(URL, json=BODY, headers=owner.headers)
    assert (answer.status_code, apps.spy.lists - before) == (201, 1), answer.text
    # The one-statement INSERT wrote nothing, and the route, told so by the fast path,
    # didn't try it again: the row and its event went in one transaction.
    tried = [s for s in statements if "webhook_subscriptions" in s and s.startswith("INSERT")]
    assert len(tried) == 1  # the fast path's (PostgreSQL), or the route's own (SQLite)
    assert await _stored(reader, owner) == [uuid.UUID(answer.json()["id"])]
    async with reader.connect() as conn:
        [event] = (
            await conn.scalars(
                select(WebhookEvent.body).where(WebhookEvent.owner_id == owner.user.id)
            )
        ).all()
    assert json.loads(event)["data"] == answer.json()


async def test_a_body_in_pieces_is_read_whole(apps: Apps, owners: Owners) -> None:
    pieces = [b'{"company": "Pie', b'ces", "role_', b'title": "Engineer"}']

    async def stream() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    before = apps.spy.lists
    answer = await apps.fast.post(
        URL, content=stream(), headers={**owners.fast.headers, "Content-Type": "application/json"}
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["company"], apps.spy.lists - before) == ("Pieces", int(not apps.answers))


# How asyncpg reports a backend gone under the INSERT, or killed just before it (still
# taking in the server's last error, it won't start the statement).
LOST = [
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
]


@pytest.mark.parametrize("error", LOST, ids=type)
async def test_a_lost_connection_under_the_insert_is_a_503_never_a_second_try(
    apps: Apps,
    owners: Owners,
    reader: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    if not apps.answers:
        return  # SQLite: the route's DriverWrite, tests/faults/test_driver_disconnect.py
    fetch = asyncpg.connection.Connection.fetch
    lost: list[str] = []

    async def losing(self: asyncpg.connection.Connection, query: str, *args: Any) -> Any:
        if query.startswith("INSERT INTO applications"):
            lost.append(query)
            raise error
        return await fetch(self, query, *args)

    monkeypatch.setattr(asyncpg.connection.Connection, "fetch", losing)
    before = apps.spy.lists
    answer = await apps.fast.post(URL, json=BODY, headers=owners.fast.headers)
    assert (answer.status_code, apps.spy.lists - before, len(lost)) == (503, 0, 1), answer.text
    assert answer.headers["Retry-After"] == "5"
    monkeypatch.undo()
    assert await _stored(reader, owners.fast) == []
    again = await apps.fast.post(URL, json=BODY, headers=owners.fast.headers)
    assert again.status_code == 201, again.text


@pytest.mark.parametrize("layer", ["app", "fast path"])
async def test_a_client_gone_before_its_body_ends_is_not_answered_and_nothing_is_written(
    apps: Apps, owners: Owners, reader: AsyncEngine, layer: str
) -> None:
    """In the app, the body limit outside the fast path reads every body first and
    meets the disconnect itself; alone, on PostgreSQL, the fast path does the same."""
    body = json.dumps(BODY).encode()
    messages = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = {**owners.fast.headers, "Content-Type": "application/json"}
    headers["Content-Length"] = str(len(body))  # promised in full; 10 bytes come
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    scope = {"type": "http", "method": "POST", "path": URL, "headers": raw, "app": apps.fast_app}
    before = apps.spy.lists
    if layer == "app":
        await apps.fast_app(scope, receive, send)
    else:
        await _layer(apps.fast_app, CreateFastPath)(scope, receive, send)
    statuses = [m["status"] for m in sent if m["type"] == "http.response.start"]
    assert await _stored(reader, owners.fast) == []
    if layer == "fast path" and not apps.answers:
        # SQLite: handed on, and the route, meeting the disconnect, answers nobody a 400.
        assert (statuses, apps.spy.lists - before) == ([400], 1)
    else:
        assert (statuses, apps.spy.lists - before) == ([], 0)


@pytest.fixture
async def reader(own_database: str) -> AsyncIterator[AsyncEngine]:
    """Another engine on the same database: it sees only what was committed."""
    engine = create_engine(own_database)
    yield engine
    await engine.dispose()


async def _stored(reader: AsyncEngine, owner: UserWithToken) -> list[uuid.UUID]:
    query = select(Application.id).where(Application.owner_id == owner.user.id)
    async with reader.connect() as conn:
        return list((await conn.scalars(query.order_by(Application.created_at))).all())
