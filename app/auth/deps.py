"""The `CurrentUser` dependency: who is calling, from their bearer token."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.types import Scope

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
    note_caller(request.scope, user.id)
    return user


def note_caller(scope: Scope, user_id: uuid.UUID) -> None:
    """Who made the request, for the request log (app/core/request_log.py) to say."""
    scope.setdefault("state", {})["user_id"] = user_id


CurrentUser = Annotated[User, Depends(current_user)]
