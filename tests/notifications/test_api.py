"""/me/notifications, the test mail, the Settings page and one-click unsubscribe."""

from __future__ import annotations

from email import message_from_bytes, policy

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import User
from app.models.base import EPOCH
from app.notifications.tokens import unsubscribe_token
from tests.factories import UserWithToken
from tests.helpers import assert_problem
from tests.notifications.helpers import mails
from tests.web.helpers import assert_html, flash_of, sign_in

pytestmark = pytest.mark.anyio
URL = "/api/v1/me/notifications"


async def test_settings_default_to_a_digest_at_eight_and_alerts(
    client: httpx.AsyncClient, alice: UserWithToken
) -> None:
    response = await client.get(URL, headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"digest": True, "digest_time": "08:00", "alerts": True}


async def test_put_replaces_the_settings_and_reschedules(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    body = {"digest": True, "digest_time": "18:45", "alerts": False}
    response = await client.put(URL, json=body, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json() == body
    assert (await client.get(URL, headers=alice.headers)).json() == body
    user = await session.get_one(User, alice.user.id, populate_existing=True)
    assert (user.next_check_at, user.digest_due_at) == (EPOCH, None)
    # Left out: back to the default.
    response = await client.put(URL, json={"alerts": False}, headers=alice.headers)
    assert response.json() == {"digest": True, "digest_time": "08:00", "alerts": False}


@pytest.mark.parametrize(
    "body",
    [{"digest_time": "24:00"}, {"digest_time": "8:00"}, {"digest_time": "08:60"}, {"x": 1}],
)
async def test_bad_settings_are_refused(
    client: httpx.AsyncClient, alice: UserWithToken, body: dict[str, object]
) -> None:
    assert_problem(await client.put(URL, json=body, headers=alice.headers), 422)


async def test_settings_need_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(URL), 401)


async def test_a_test_mail_is_queued_even_when_nothing_is_due_and_says_so(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    response = await client.post(f"{URL}/test", headers=alice.headers)
    assert response.status_code == 202, response.text
    assert response.json()["steps"] == 0
    [mail] = await mails(session, user_id=alice.user.id)
    assert (mail.kind, mail.status, str(mail.id)) == (
        "test",
        "pending",
        response.json()["message_id"],
    )
    message = message_from_bytes(mail.content, policy=policy.default)
    assert "nothing is due" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Nothing is overdue, due today or due tomorrow" in text


async def test_a_test_mail_lists_what_is_due(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, interview: object
) -> None:
    response = await client.post(f"{URL}/test", headers=alice.headers)
    assert response.json()["steps"] >= 1
    [mail] = await mails(session, user_id=alice.user.id)
    message = message_from_bytes(mail.content, policy=policy.default)
    assert "Acme Corp" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _token(settings: Settings, user: User, kind: str = "digest") -> str:
    return unsubscribe_token(settings.secret_key, user.id, kind)  # type: ignore[arg-type]


async def test_one_click_unsubscribe_needs_no_session_and_turns_off_only_that(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession, settings: Settings
) -> None:
    token = _token(settings, alice.user)
    page = assert_html(await client.get(f"/unsubscribe/{token}"), 200)
    assert f'<form method="post" action="/unsubscribe/{token}">' in page
    assert "daily digest" in page

    # What a mail client sends (RFC 8058): no cookie, no CSRF token, this body.
    response = await client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_html(response, 200)
    user = await session.get_one(User, alice.user.id, populate_existing=True)
    assert (user.notify_digest, user.notify_alerts, user.digest_time) == (False, True, "08:00")

    alerts = _token(settings, alice.user, "alerts")
    assert (await client.post(f"/unsubscribe/{alerts}")).status_code == 200
    user = await session.get_one(User, alice.user.id, populate_existing=True)
    assert (user.notify_digest, user.notify_alerts) == (False, False)


async def test_an_altered_unsubscribe_link_changes_nothing(
    client: httpx.AsyncClient,
    alice: UserWithToken,
    bob: UserWithToken,
    session: AsyncSession,
    settings: Settings,
) -> None:
    token = _token(settings, alice.user)
    user_hex, kind, signature = token.split(".")
    forged = [
        f"{bob.user.id.hex}.{kind}.{signature}",
        f"{user_hex}.alerts.{signature}",
        f"{user_hex}.{kind}.{signature[:-2]}xx",
        unsubscribe_token("not-the-key", alice.user.id, "digest"),
    ]
    for bad in forged:
        assert_html(await client.get(f"/unsubscribe/{bad}"), 404)
        assert_html(await client.post(f"/unsubscribe/{bad}"), 404)
    for user_id in (alice.user.id, bob.user.id):
        user = await session.get_one(User, user_id, populate_existing=True)
        assert (user.notify_digest, user.notify_alerts) == (True, True)


async def test_the_settings_page_saves_sends_a_test_and_shows_the_log(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    web = await sign_in(client, session, alice.user)
    page = assert_html(await web.get("/settings/notifications"), 200)
    assert "Send me a test" in page
    assert "Nothing sent yet." in page

    response = await web.post("/settings/notifications", {"digest": "yes", "digest_time": "07:15"})
    assert response.status_code == 303
    user = await session.get_one(User, alice.user.id, populate_existing=True)
    assert (user.notify_digest, user.digest_time, user.notify_alerts) == (True, "07:15", False)

    bad = await web.post("/settings/notifications", {"digest_time": "25:99"})
    assert_html(bad, 422)

    response = await web.post("/settings/notifications/test")
    assert response.status_code == 303
    assert "test digest is on its way" in (
        flash_of(assert_html(await web.get("/settings/notifications"), 200)) or ""
    )
    assert len(await mails(session, user_id=alice.user.id, kind="test")) == 1


async def test_the_settings_forms_refuse_a_missing_csrf_token(
    client: httpx.AsyncClient, alice: UserWithToken, session: AsyncSession
) -> None:
    await sign_in(client, session, alice.user)
    for url in ("/settings/notifications", "/settings/notifications/test"):
        assert (await client.post(url, data={"digest_time": "09:00"})).status_code == 403
    assert await mails(session) == []
