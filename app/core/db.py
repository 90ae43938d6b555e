"""Engine, sessions and the per-request transaction."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from anyio import CancelScope
from asyncpg import InternalClientError
from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from starlette.applications import Starlette

from app.core.idempotency import Replay, claimed, store_answer, store_refusal
from app.core.media import reads_json, refuse_non_json

READ_METHODS = frozenset({"GET", "HEAD"})


def async_database_url(raw: str) -> URL:
    """Accept the plain URLs people write and pick the async driver for them."""
    url = make_url(raw)
    backend = url.get_backend_name()
    if backend == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(raw_url: str, **kwargs: Any) -> AsyncEngine:
    url = async_database_url(raw_url)
    if is_sqlite(url):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # More pooled connections than SQLAlchemy's 5: under a burst, connections past the
    # pool's size are closed on return and reopened on the next request (TLS attempt,
    # authentication), which cost more than the queries themselves in the benchmark.
    # No pool_pre_ping: on asyncpg it is three round trips (BEGIN, a query, ROLLBACK)
    # before every request, a fifth of the list endpoint's time in the profile. A
    # connection that died (the server restarted) fails its request instead, and that
    # error invalidates the whole pool, so the next requests reconnect.
    options: dict[str, Any] = {"pool_size": 10, "max_overflow": 10, **kwargs}
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "handle_error", _broken_protocol_is_a_disconnect)
    return engine


def _broken_protocol_is_a_disconnect(context: ExceptionContext) -> None:
    """A connection whose backend was killed while it sat idle fails its next statement
    with asyncpg's InternalClientError ("cannot switch to state ...; another operation
    is in progress"): asyncpg took in the server's last error between statements and
    the socket's end hasn't arrived yet. The connection still looks open, which is all
    SQLAlchemy's asyncpg dialect checks for a disconnect, so it would be kept and the
    request would get a 500. Its state is unknown either way: call it a disconnect, so
    the pool is invalidated and the request gets the 503 of an outage."""
    if isinstance(context.original_exception.__cause__, InternalClientError):
        context.is_disconnect = True


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The sqlite3 module's own transaction handling breaks SAVEPOINTs; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two transactions never deadlock
        # trying to upgrade a read lock; the other one waits (busy_timeout) instead.
        # A snapshot's reads (`read_snapshot`) take no lock: in WAL mode they see the
        # database as it was, and writers go on.
        if conn.get_execution_options().get(DEFERRED_BEGIN, False):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for GET and HEAD requests: on PostgreSQL, without BEGIN and COMMIT.

    A read gains nothing from a transaction at PostgreSQL's READ COMMITTED (every
    statement takes its own snapshot either way), and BEGIN and COMMIT are two of
    the four round trips of a typical GET, which the benchmark showed cost more than
    the queries. The few writes a read makes (a web session's renewal) are single
    statements, committed as they run.
    """
    if is_sqlite(engine.url):
        return create_sessionmaker(engine)
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


DEFERRED_BEGIN = "followup_deferred_begin"


@asynccontextmanager
async def read_snapshot(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for many reads that must agree (an export read in batches): each sees
    the database as the first did. On PostgreSQL a REPEATABLE READ transaction; on
    SQLite a deferred one, which in WAL mode holds no lock, so however long a client
    takes to download, writers are not kept waiting. Rolled back at the end."""
    async with sessions() as session:
        bind = session.bind
        if isinstance(bind, AsyncEngine):  # not the tests' connection, in its transaction
            options: dict[str, Any] = (
                {DEFERRED_BEGIN: True}
                if is_sqlite(bind.url)
                else {"isolation_level": "REPEATABLE READ"}
            )
            await session.connection(execution_options=options)
        try:
            yield session
        finally:
            await end_session(session, commit=False)


def sessionmaker_of(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return factory


def request_sessionmaker(app: Starlette, method: str) -> async_sessionmaker[AsyncSession]:
    """The sessions a request with this method gets: a read's, where there are any."""
    if method in READ_METHODS:
        reader: async_sessionmaker[AsyncSession] | None = getattr(
            app.state, "read_sessionmaker", None
        )
        if reader is not None:
            return reader
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return factory


class TransactionRoute(APIRoute):
    """Every API and page route: one transaction per request, owned by the route.

    The session is made when something first asks for `SessionDep`, and ended here
    once the endpoint has returned its response, before the response is sent: commit
    if the endpoint (and its serialisation) succeeded, roll back if anything raised.
    So a 2xx is only ever answered for a change that is durable, and the answer to an
    `Idempotency-Key` is stored in the same transaction (app/core/idempotency.py).
    Every router is built with this class; a test checks that.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        json_body = reads_json(self)

        async def in_transaction(request: Request) -> Response:
            if json_body:
                refuse_non_json(request)  # before any work, and never stored for replay
            return _without_body_type(await answer(request))

        async def answer(request: Request) -> Response:
            slot = request.scope[_SLOT] = _SessionSlot()
            try:
                response = await handle(request)
                if slot.session is not None:
                    await store_answer(request, slot.session, response)
            except Replay as replay:
                await slot.end(commit=False)
                return replay.response()
            except Exception as exc:
                await slot.end(commit=False)
                refusal = await _refusal(request, exc) if claimed(request) else None
                if refusal is None:
                    raise
                async with sessionmaker_of(request)() as session:
                    await store_refusal(request, session, refusal)
                return refusal
            except BaseException:
                await slot.end(commit=False)
                raise
            await slot.end(commit=True)
            return response

        return in_transaction


def _without_body_type(response: Response) -> Response:
    # A 204 has no body, so it has no body type either (FastAPI's default response class
    # would still label the nothing it sends application/json).
    if response.status_code == 204 and "content-type" in response.headers:
        del response.headers["content-type"]
    return response


async def _refusal(request: Request, exc: Exception) -> Response | None:
    """The 4xx the app's error handlers answer `exc` with; None for anything else."""
    handlers = request.app.exception_handlers
    # Not the catch-all's: an unexpected error is answered (and logged) once, upstream.
    mro = [k for k in type(exc).__mro__ if k is not Exception]
    handler = next((handlers[k] for k in mro if k in handlers), None)
    if handler is None:
        return None
    response: Response = await handler(request, exc)
    return response if 400 <= response.status_code < 500 else None


_SLOT = "followup.session"  # in the request's scope, while a TransactionRoute runs


class _SessionSlot:
    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: AsyncSession | None = None

    async def end(self, *, commit: bool) -> None:
        session = self.session
        if session is None:
            return  # nothing asked for one
        self.session = None
        await end_session(session, commit=commit)


async def end_session(session: AsyncSession, *, commit: bool) -> None:
    """Commit (if `commit`: the request succeeded) or roll back, then close."""
    if not commit:
        # Shielded, as FastAPI shields a dependency's exit: a rollback cut short by a
        # cancellation would leave the connection out of the pool.
        with CancelScope(shield=True):
            try:
                await session.rollback()
            finally:
                await session.close()
        return
    try:
        if not _commits_each_statement(session) or _has_pending_changes(session):
            await session.commit()
        # else: every statement it ran is committed already; there is nothing to end.
    finally:
        await session.close()


def _commits_each_statement(session: AsyncSession) -> bool:
    """Bound to an engine in autocommit (the read sessions on PostgreSQL)."""
    bind = session.bind
    if not isinstance(bind, AsyncEngine):
        return False  # bound to a connection (the tests'): its transaction decides
    return bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _has_pending_changes(session: AsyncSession) -> bool:
    return bool(session.new or session.dirty or session.deleted)


async def get_session(request: Request) -> AsyncSession:
    """The request's session, ended by its `TransactionRoute`. On PostgreSQL a read's
    session commits each statement as it runs (see `create_read_sessionmaker`)."""
    slot: _SessionSlot | None = request.scope.get(_SLOT)
    if slot is None:
        raise RuntimeError(
            f"SessionDep on {request.url.path}, whose route isn't a TransactionRoute: "
            "build its APIRouter with route_class=TransactionRoute"
        )
    if slot.session is None:
        slot.session = request_sessionmaker(request.app, request.method)()
    return slot.session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
