"""Reading the web client's HTML in tests, and signing a test client in."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.web import sessions

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Browser:
    """A test client with a live web session for `user`."""

    client: httpx.AsyncClient
    user: User
    csrf: str

    async def get(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def post(
        self, url: str, data: dict[str, str | list[str]] | None = None
    ) -> httpx.Response:
        """A form post carrying the session's CSRF token."""
        return await self.client.post(url, data={"csrf_token": self.csrf, **(data or {})})


async def sign_in(client: httpx.AsyncClient, session: AsyncSession, user: User) -> Browser:
    row, cookie_value = await sessions.start_session(session, user)
    await session.commit()
    client.cookies.set(sessions.COOKIE_NAME, cookie_value)
    return Browser(client=client, user=user, csrf=row.csrf_token)


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def text_of(page: str) -> str:
    """The page's visible words, tags stripped, whitespace collapsed."""
    without_tags = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def field_error(page: str, field_id: str) -> str | None:
    """The inline error of a field, checking it is wired up for assistive technology."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', page, re.S)
    if found is None:
        return None
    control = re.search(rf'<(input|select|textarea|fieldset)[^>]*\bid="{field_id}"[^>]*>', page)
    assert control, f"no control with id {field_id}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    assert f"{field_id}-error" in control.group(0), "error not in aria-describedby"
    return text_of(found.group(1)).removeprefix("Error: ")


def input_value(page: str, field_id: str) -> str:
    found = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*\bvalue="([^"]*)"', page) or re.search(
        rf'<input[^>]*\bvalue="([^"]*)"[^>]*\bid="{field_id}"', page
    )
    assert found, f"no input {field_id}"
    return html.unescape(found.group(1))


def flash_of(page: str) -> str | None:
    found = re.search(r'<div class="flash[^"]*" role="status">(.*?)</div>', page, re.S)
    return text_of(found.group(1)) if found else None


def assert_html(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return response.text


def step_id(page: str, rule: str) -> str:
    """The recommendation id of the page's first step of this rule (its buttons' target)."""
    article = re.search(rf'<article class="step[^"]*" data-rule="{rule}".*?</article>', page, re.S)
    assert article, f"no {rule} step on the page"
    found = re.search(r'name="recommendation_id" value="([^"]+)"', article.group(0))
    assert found, f"the {rule} step has no buttons"
    return found.group(1)
