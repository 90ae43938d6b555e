"""The `CurrentUser` dependency: who is calling, from their bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.service import user_for_token
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.models import User

bearer_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="An access token from /auth/token or a personal API token from /tokens.",
)


async def current_user(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> User:
    if not token:
        raise Unauthorized("Send your token as `Authorization: Bearer <token>`.")
    user = await user_for_token(session, token)
    # The request log (app/core/request_log.py) reads this to say who made the request.
    request.state.user_id = user.id
    return user


CurrentUser = Annotated[User, Depends(current_user)]
