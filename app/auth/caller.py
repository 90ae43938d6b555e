"""Who is calling: resolved once per request, kept in the request's state.

Every layer that needs the caller (the `CurrentUser` dependency, the
`Idempotency-Key` claim, the request log) reads it from `scope["state"]`, so a
request checks its token once, whatever asks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from starlette.types import Scope

from app.models import User

_CALLER = "caller"


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    # Read once: the user's attributes expire if the request's transaction rolls back,
    # and the request log still names who called.
    user_id: uuid.UUID
    token_id: uuid.UUID
    # As read with the token: whether the token's usage is due to be recorded.
    last_used_at: datetime | None


def remember_caller(scope: Scope, caller: Caller) -> None:
    scope.setdefault("state", {})[_CALLER] = caller


def caller_of(scope: Scope) -> Caller | None:
    """The caller resolved earlier in this request, if any."""
    caller: Caller | None = scope.get("state", {}).get(_CALLER)
    return caller
