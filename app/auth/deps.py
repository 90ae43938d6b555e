"""The `CurrentUser` dependency: who is calling, from their bearer token."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth.caller import Caller, caller_of, remember_caller
from app.auth.service import caller_for_token
from app.auth.usage import TokenUsage
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.idempotency import claim_idempotency_key
from app.models import User
from app.models.base import utcnow

bearer_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="An access token from /auth/token or a personal API token from /tokens.",
)


async def current_caller(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> Caller:
    known = caller_of(request.scope)
    if known is not None:
        return known
    if not token:
        raise Unauthorized("Send your token as `Authorization: Bearer <token>`.")
    caller = await caller_for_token(session, token)
    remember_caller(request.scope, caller)
    usage: TokenUsage = request.app.state.token_usage
    usage.note(caller.token_id, caller.last_used_at, utcnow())
    # Where a caller is known, a POST's Idempotency-Key can be claimed for them, in
    # the request's own transaction (see app/core/idempotency.py).
    await claim_idempotency_key(request, session, caller.user_id)
    return caller


async def current_user(caller: Annotated[Caller, Depends(current_caller)]) -> User:
    return caller.user


CurrentUser = Annotated[User, Depends(current_user)]
