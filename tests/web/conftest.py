"""Web fixtures: signed-in test clients for alice and bob."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import UserWithToken
from tests.web.helpers import Browser, sign_in


@pytest.fixture
async def web(client: httpx.AsyncClient, session: AsyncSession, alice: UserWithToken) -> Browser:
    """Alice, signed in to the web client."""
    return await sign_in(client, session, alice.user)
