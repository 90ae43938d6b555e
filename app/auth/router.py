"""/auth, /me and /tokens."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service, throttle
from app.auth.deps import CurrentUser
from app.auth.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    MePatch,
    RegisterIn,
    TokenGrant,
    UserOut,
)
from app.core.config import get_settings
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import Forbidden, Unauthorized, error_responses
from app.core.idempotency import keep_secret
from app.core.ids import parse_id
from app.core.pagination import Page, PageDep, set_next_link
from app.core.ratelimit import AuthRateLimit, client_address
from app.core.urls import url_for
from app.models.base import utcnow

auth_router = APIRouter(route_class=TransactionRoute, prefix="/auth", tags=["auth"])
me_router = APIRouter(route_class=TransactionRoute, tags=["auth"], responses=error_responses(401))


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    operation_id="register",
    responses=error_responses(403, 409, 422, 429),
)
async def register(
    data: RegisterIn,
    session: SessionDep,
    request: Request,
    response: Response,
    _rate: AuthRateLimit,
) -> UserOut:
    """Create an account. Disabled when `FOLLOWUP_ALLOW_SIGNUP` is false."""
    if not get_settings().allow_signup:
        raise Forbidden("Sign-up is disabled on this server.")
    user = await service.register(session, data)
    response.headers["Location"] = url_for(request, "get_me")
    return UserOut.model_validate(user)


@auth_router.post(
    "/token", operation_id="createAccessToken", responses=error_responses(401, 422, 429)
)
async def create_access_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    request: Request,
    _rate: AuthRateLimit,
) -> TokenGrant:
    """OAuth2 password grant: `username` is the email. Throttled after repeated failures."""
    email = service.normalise_email(form.username)
    client = client_address(request)
    now = utcnow()
    await throttle.refuse_if_throttled(session, email, client, now)
    user = await service.authenticate(session, email, form.password)
    if user is None:
        await throttle.record_failure(session, email, client, now)
        # The failure must count even though this request answers with an error
        # (which rolls the request's transaction back), so it is committed here.
        await session.commit()
        raise Unauthorized("The email or password is wrong.")
    await throttle.forget_failures(session, email, client)
    ttl = get_settings().access_token_ttl_seconds
    token = await service.issue_access_token(session, user, timedelta(seconds=ttl))
    return TokenGrant(access_token=token, expires_in=ttl)


@me_router.get("/me", operation_id="getMe")
async def get_me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@me_router.patch("/me", operation_id="updateMe", responses=error_responses(409, 422))
async def update_me(data: MePatch, user: CurrentUser, session: SessionDep) -> UserOut:
    """Change name or timezone; email and password also need `current_password`."""
    return UserOut.model_validate(await service.update_me(session, user, data))


@me_router.get("/tokens", operation_id="listTokens", responses=error_responses(400))
async def list_tokens(
    user: CurrentUser, session: SessionDep, page: PageDep, request: Request, response: Response
) -> Page[ApiTokenOut]:
    """Your personal API tokens (the tokens themselves are never shown again)."""
    rows, next_cursor = await service.page_personal_tokens(session, user, page)
    set_next_link(request, response, next_cursor)
    return Page(items=[ApiTokenOut.model_validate(t) for t in rows], next_cursor=next_cursor)


@me_router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    operation_id="createToken",
    responses=error_responses(422),
)
async def create_token(
    data: ApiTokenIn, user: CurrentUser, session: SessionDep, request: Request, response: Response
) -> ApiTokenCreated:
    row, token = await service.create_personal_token(session, user, data)
    keep_secret(request, "token")
    response.headers["Location"] = url_for(request, "get_token", token_id=str(row.id))
    return ApiTokenCreated(**ApiTokenOut.model_validate(row).model_dump(), token=token)


@me_router.delete("/tokens", status_code=status.HTTP_204_NO_CONTENT, operation_id="revokeAllTokens")
async def revoke_all_tokens(user: CurrentUser, session: SessionDep) -> None:
    """Revoke every personal API token at once; each stops working immediately.

    Access tokens from `/auth/token` are not personal tokens: a password change ends them.
    """
    await service.revoke_personal_tokens(session, user)


@me_router.get("/tokens/{token_id}", operation_id="getToken", responses=error_responses(404))
async def get_token(token_id: str, user: CurrentUser, session: SessionDep) -> ApiTokenOut:
    row = await service.get_personal_token(session, user, parse_id(token_id, "token"))
    return ApiTokenOut.model_validate(row)


@me_router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeToken",
    responses=error_responses(404),
)
async def revoke_token(token_id: str, user: CurrentUser, session: SessionDep) -> None:
    """The token stops working at once."""
    await service.revoke_personal_token(session, user, parse_id(token_id, "token"))
