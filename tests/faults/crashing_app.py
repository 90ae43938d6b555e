"""Followup's app, killed (SIGKILL) at a chosen point of a request that asks for it.

For the crash-point tests: `uvicorn tests.faults.crashing_app:app` with
`CRASH_AT` set to where the process dies, for requests that send `X-Crash: 1`:

- `before_commit`: the route has made the change and stored its answer, not committed;
- `after_commit`: committed, the response not yet sent;
- `after_response`: the whole response sent.

Nothing in app/ knows about this: the hooks wrap the functions the request goes
through, as a process dying there would find them.
"""

from __future__ import annotations

import os
import signal

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Message, Receive, Scope, Send

from app.core import db
from app.main import create_app

POINT = os.environ["CRASH_AT"]
_crashing = False  # set for the duration of a request that asked for the crash


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


_end_session = db.end_session


async def _end_session_then_maybe_die(session: AsyncSession, *, commit: bool) -> None:
    if _crashing and commit and POINT == "before_commit":
        _die()
    await _end_session(session, commit=commit)
    if _crashing and commit and POINT == "after_commit":
        _die()


db.end_session = _end_session_then_maybe_die
_app = create_app()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    global _crashing
    asked = scope["type"] == "http" and (b"x-crash", b"1") in scope.get("headers", [])
    if not asked:
        await _app(scope, receive, send)
        return
    _crashing = True

    async def sending(message: Message) -> None:
        await send(message)
        last = message["type"] == "http.response.body" and not message.get("more_body")
        if last and POINT == "after_response":
            _die()

    await _app(scope, receive, sending)
