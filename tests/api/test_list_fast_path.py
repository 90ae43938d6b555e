"""The list's fast path (app/applications/list_fast_path.py) against the route itself.

Every request is sent to two apps on the same data: one as served, one with the fast
path switched off. Their answers must be the same bytes, status and headers (bar the
request id). A spy on what the fast path hands on shows which requests it answered:
every plainly spelled valid one, and nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from app.applications.list_fast_path import ListFastPath
from app.core.config import Settings
from app.main import create_app
from app.models import ApiToken
from tests.factories import UserWithToken, create_application, create_reference

pytestmark = pytest.mark.anyio
URL = "/api/v1/applications"
UNSTABLE_HEADERS = {"x-request-id"}


class HandedOn:
    """Stands between the fast path and the rest of the app, counting list requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.lists = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == URL:
            self.lists += 1
        await self.app(scope, receive, send)


def _fast_path_of(app: Any) -> ListFastPath:
    layer = app.middleware_stack
    while not isinstance(layer, ListFastPath):
        layer = layer.app
    return layer


@dataclass
class BothWays:
    fast: httpx.AsyncClient  # the app as served
    route: httpx.AsyncClient  # the same app with the fast path off
    spy: HandedOn

    async def get(self, target: str, headers: Any) -> tuple[httpx.Response, bool]:
        """The fast app's answer, checked against the route's; and whether the fast
        path handed the request on."""
        before = self.spy.lists
        answer = await self.fast.get(target, headers=headers)
        handed_on = self.spy.lists - before
        assert handed_on in (0, 1)
        _same(answer, await self.route.get(target, headers=headers))
        return answer, bool(handed_on)


@pytest.fixture
async def both(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[BothWays]:
    fast_app = create_app(settings, sessionmaker)
    route_app = create_app(settings.model_copy(update={"list_fast_path": False}), sessionmaker)
    fast, route = (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://test",
        )
        for app in (fast_app, route_app)
    )
    await fast.get("/healthz")  # builds the middleware stack
    fast_path = _fast_path_of(fast_app)
    spy = fast_path.app = HandedOn(fast_path.app)
    try:
        yield BothWays(fast, route, spy)
    finally:
        await fast.aclose()
        await route.aclose()


@pytest.fixture
async def seeded(session: AsyncSession, alice: UserWithToken, bob: UserWithToken) -> None:
    await seed(session, alice, bob)


async def seed(session: AsyncSession, alice: UserWithToken, bob: UserWithToken) -> None:
    """Alice's applications in every status, some with references; one of Bob's."""
    references = [await create_reference(session, alice.user, name=f"R{i}") for i in range(3)]
    start = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    statuses = ["applied", "interviewing", "offer", "rejected", "withdrawn", "applied"]
    for i, status in enumerate(statuses):
        application = await create_application(
            session,
            alice.user,
            company=f"Acme {i} 100%_co",
            role_title="Ünïcode “role” </script>" if i % 2 else "Backend Engineer",
            status=status,
            references=references[: i % 4],
        )
        application.created_at = application.updated_at = start + timedelta(days=i)
    await create_application(session, bob.user, company="Bob's only")
    await session.commit()


def _same(fast: httpx.Response, route: httpx.Response) -> None:
    assert (fast.status_code, fast.content) == (route.status_code, route.content)

    def headers(r: httpx.Response) -> list[tuple[str, str]]:
        return [(k, v) for k, v in r.headers.multi_items() if k not in UNSTABLE_HEADERS]

    assert headers(fast) == headers(route)


async def _cursor(client: httpx.AsyncClient, alice: UserWithToken) -> str:
    r = await client.get(URL, params={"limit": 2}, headers=alice.headers)
    cursor: str = r.json()["next_cursor"]
    return cursor


ANSWERED = [
    "",
    "limit=2",
    "limit=200",
    "limit=1&cursor={cursor}",
    "cursor={cursor}",
    "status=applied",
    "status=applied&status=offer&limit=1",
    "active=true",
    "active=false&limit=1",
    "q=acme%203",
    "q=100%25_",
    "q=",
    "q=%C3%AFcode",
    "updated_since=2026-10-03T09:30:00Z",
    "updated_since=2026-10-03T11:30:00%2B02:00",
    "updated_since=2026-10-03T09:30:00.5Z&status=rejected&q=acme&active=false",
]
HANDED_ON = [
    "limit=0",
    "limit=201",
    "limit=%2B5",
    "limit=05",
    "limit=5.0",
    "limit=abc",
    "limit=",
    "limit=2&limit=3",
    "active=yes",
    "active=1",
    "active=True",
    "status=bogus",
    "status=",
    "q=" + "x" * 201,
    "cursor=garbage",
    "cursor=" + "a" * 501,
    "updated_since=yesterday",
    "updated_since=2026-10-03T09:30:00",
    "updated_since=",
    "unknown=1",
]


@pytest.mark.parametrize("query", ANSWERED)
async def test_the_fast_path_answers_a_valid_query_as_the_route_does(
    both: BothWays, seeded: None, alice: UserWithToken, query: str
) -> None:
    target = f"{URL}?{query.format(cursor=await _cursor(both.route, alice))}"
    answer, handed_on = await both.get(target, alice.headers)
    assert (answer.status_code, handed_on) == (200, False), answer.text
    assert answer.json()["items"], "each query finds something"


@pytest.mark.parametrize("query", HANDED_ON)
async def test_anything_else_goes_to_the_route(
    both: BothWays, seeded: None, alice: UserWithToken, query: str
) -> None:
    _, handed_on = await both.get(f"{URL}?{query}", alice.headers)
    assert handed_on


@pytest.mark.parametrize(
    ("authorization", "answered"),
    [
        (None, False),
        ("Bearer not-a-token", False),
        ("Basic {token}", False),
        ("Bearer", False),
        ("Bearer ", False),
        ("bearer {token}", True),
        ("BEARER   {token}  ", True),
    ],
)
async def test_the_token_is_read_as_the_route_reads_it(
    both: BothWays, seeded: None, alice: UserWithToken, authorization: str | None, answered: bool
) -> None:
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(token=alice.token)}
    )
    answer, handed_on = await both.get(URL, headers)
    assert (answer.status_code, handed_on) == ((200, False) if answered else (401, True))


async def test_two_authorization_headers_go_to_the_route(
    both: BothWays, seeded: None, alice: UserWithToken, bob: UserWithToken
) -> None:
    headers = [("Authorization", f"Bearer {alice.token}"), ("Authorization", f"Bearer {bob.token}")]
    _, handed_on = await both.get(URL, headers)
    assert handed_on


async def test_an_expired_token_is_the_route_s_401(
    both: BothWays, seeded: None, alice: UserWithToken, session: AsyncSession
) -> None:
    await session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(1)))
    await session.commit()
    answer, handed_on = await both.get(URL, alice.headers)
    assert (answer.status_code, handed_on) == (401, True)


async def test_each_user_sees_only_their_own(
    both: BothWays, seeded: None, bob: UserWithToken
) -> None:
    answer, handed_on = await both.get(URL, bob.headers)
    assert [item["company"] for item in answer.json()["items"]] == ["Bob's only"]
    assert not handed_on


async def test_the_fast_path_notes_the_token_s_use_and_commits_it(
    both: BothWays,
    seeded: None,
    alice: UserWithToken,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as before:
        await before.execute(update(ApiToken).values(last_used_at=None))
        await before.commit()
    answer = await both.fast.get(URL, headers=alice.headers)
    assert (answer.status_code, both.spy.lists) == (200, 0)
    async with sessionmaker() as after:
        used = await after.scalar(
            select(ApiToken.last_used_at).where(ApiToken.user_id == alice.user.id)
        )
    assert used is not None
