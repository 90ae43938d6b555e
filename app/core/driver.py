"""Hot read statements run straight on asyncpg, past SQLAlchemy's execution layer.

A few statements run on nearly every API request: the bearer token's lookup, the
application list (the busiest endpoint) and, on every write, the outbox's question
which webhook subscriptions want the event. Profiled (README, "Performance"),
SQLAlchemy's execution layer (cache key, execution context, the greenlet hop, row
processing) cost about as much CPU as asyncpg's whole round trip, for each of them.

A `DriverQuery` keeps SQLAlchemy where it is cheap: the SQL is still a Core
statement, compiled once for the dialect, so no SQL is written by hand and every
value travels as a bound parameter. Only running it changes. On PostgreSQL it runs
on the session's own connection (so inside the request's transaction, if one has
begun), and is shown to the statement listeners below as SQLAlchemy's
`before_cursor_execute` shows the rest (the counters use both). A failure that
isn't the server refusing the statement is handed to SQLAlchemy, which invalidates
the pool on a disconnect as it does for its own statements (see `fetch`). On other
databases (SQLite), and for statements with parameters only known at execution time
(expanding IN lists), it runs through SQLAlchemy as usual. `fetch_pooled` runs it
on a connection taken from the pool with no session at all (`pooled_connection`),
for the list's fast path. `DriverWrite` runs an INSERT ... RETURNING the same way,
for the API's create, on the session's connection or a pooled one (the create's
fast path), but never runs it twice (see there).

Rows come back as sequences in the statement's column order, from either path.
Values are the driver's own: on PostgreSQL that is what SQLAlchemy would return for
the column types used here (UUID, text, integers, `timestamptz` as aware UTC
datetimes), which the tests compare on both databases.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, NoReturn

import asyncpg
from anyio import CancelScope
from sqlalchemy import Insert, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from app.core.unavailable import is_database_unavailable

logger = logging.getLogger("followup.errors")

# Process-wide: called with the SQL of each statement run on the driver directly.
_listeners: list[Callable[[str], None]] = []


def listen(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove(listener: Callable[[str], None]) -> None:
    _listeners.remove(listener)


class DriverQuery:
    """A Core SELECT that runs on asyncpg directly where it can (see the module)."""

    def __init__(self, statement: Select[*tuple[Any, ...]] | Insert) -> None:
        self.statement = statement
        # Compiled on first use: (SQL, parameter names in $n order), or None when the
        # statement can't be run as one fixed SQL string.
        self._compiled = False
        self._sql: tuple[str, tuple[str, ...]] | None = None

    def _sql_for(self, dialect: Dialect) -> tuple[str, tuple[str, ...]] | None:
        if not self._compiled:
            compiled = self.statement.compile(dialect=dialect)
            names = compiled.positiontup
            if names is not None and not compiled.post_compile_params:
                self._sql = (str(compiled), tuple(names))
            self._compiled = True
        return self._sql

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Any]:
        connection = await _connection_of(session)
        sql = self._sql_for(connection.dialect) if _is_asyncpg(connection) else None
        if sql is None:
            return await self._through_sqlalchemy(connection, params)
        raw = _pooled(connection)
        if raw is None:
            raw = await connection.get_raw_connection()
        text, args = _shown(sql, params)
        try:
            records: Sequence[Any] = await raw.driver_connection.fetch(text, *args)  # type: ignore[union-attr]
            return records
        except BaseException as exc:
            return await self._after_failure(exc, connection, text, params)

    async def _after_failure(
        self, exc: BaseException, connection: AsyncConnection, text: str, params: Mapping[str, Any]
    ) -> Sequence[Any]:
        """What `fetch` answers once the statement failed on the driver."""
        if not isinstance(exc, Exception):
            raise exc  # a cancellation: as SQLAlchemy's own statements leave it
        if isinstance(exc, asyncpg.PostgresError) and not is_database_unavailable(exc):
            raise exc  # the server refused the statement itself: nothing to retry
        # The server is going away, or it's not the server's answer: the connection is
        # gone or in a state only its owner knows (a backend killed mid-way leaves
        # asyncpg reporting "another operation is in progress"). Hand the statement to
        # SQLAlchemy, which meets the same connection and does what it does for any
        # statement: on a disconnect, invalidate the whole pool (so every request after
        # this one reconnects) and raise its own error, a 503 upstream. A SELECT is
        # safe to run again if the connection was fine after all.
        return await self._through_sqlalchemy(connection, params)

    async def _through_sqlalchemy(
        self, connection: AsyncConnection, params: Mapping[str, Any]
    ) -> Sequence[Any]:
        rows: Sequence[Any] = (await connection.execute(self.statement, dict(params))).all()
        return rows

    def runs_pooled(self, dialect: Dialect) -> bool:
        """Whether `fetch_pooled` can run it: one fixed SQL string (no expanding IN)."""
        return self._sql_for(dialect) is not None

    async def fetch_pooled(
        self, pooled: PoolProxiedConnection, dialect: Dialect, params: Mapping[str, Any]
    ) -> Sequence[Any]:
        """Run on a connection held with `pooled_connection` (asyncpg only), if
        `runs_pooled`.

        A statement the server refuses raises asyncpg's error, the connection kept.
        A connection that fails under it is discarded from the pool (logged) and
        `ConnectionFailed` raised; anything else that interrupts it (a cancellation,
        an error nobody expects) discards it too and is raised as it was.
        """
        text, args = self._shown_pooled(dialect, params)
        try:
            records: Sequence[Any] = await pooled.driver_connection.fetch(text, *args)  # type: ignore[union-attr]
            return records
        except asyncpg.PostgresError as exc:
            if _refused(exc):
                raise
            await _discard(pooled, exc)
            raise ConnectionFailed from exc
        except (asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError) as exc:
            # The connection is gone, or in a state only its owner knows (a killed
            # backend leaves asyncpg reporting "another operation is in progress").
            await _discard(pooled, exc)
            raise ConnectionFailed from exc
        except BaseException as exc:
            # Cancelled mid-statement, or failed in a way nobody expects: the connection's
            # state is unknown, so it doesn't go back to the pool; the error stays as it was.
            await _discard(pooled, exc)
            raise

    def _shown_pooled(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        sql = self._sql_for(dialect)
        if sql is None:
            raise ValueError("not one SQL string: check runs_pooled first")
        return _shown(sql, params)  # a missing parameter is a bug: raised as it is


class DriverWrite(DriverQuery):
    """An INSERT ... RETURNING run as `DriverQuery` runs a SELECT, except after a failure.

    On asyncpg it goes on the session's connection as it is: inside the request's
    transaction if one has begun, else committed as it runs (app/applications/service.py
    says when a caller may want that). An integrity violation is raised as SQLAlchemy's
    `IntegrityError`, as the ORM's own inserts raise it, the connection kept. Any other
    failure is raised as `_raise_known` raises it, and, unless the server only refused
    the statement, the connection is invalidated first: a write is never run a second
    time, since whether the first one committed can't be known (as with a connection
    lost during COMMIT). An outage's error is the one the 503 middleware knows.
    """

    async def _after_failure(
        self, exc: BaseException, connection: AsyncConnection, text: str, params: Mapping[str, Any]
    ) -> Sequence[Any]:
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise IntegrityError(text, params, exc) from exc
        if not _refused(exc):
            # Gone, cancelled mid-statement, or failed in a way nobody expects.
            await _invalidate(connection, exc)
        _raise_known(exc, text, params)

    async def fetch_pooled(
        self, pooled: PoolProxiedConnection, dialect: Dialect, params: Mapping[str, Any]
    ) -> Sequence[Any]:
        """Run on a connection held with `pooled_connection`, if `runs_pooled`: there
        it commits as it runs (the create's fast path).

        A statement the server refused (an integrity violation, a timeout) wrote
        nothing: `StatementRefused` is raised, the connection kept, and the caller may
        have it done another way. Any other failure discards the connection and is
        raised as `_raise_known` raises it, never as `ConnectionFailed`: whether the
        write committed can't be known, so it must not be tried again.
        """
        text, args = self._shown_pooled(dialect, params)
        try:
            records: Sequence[Any] = await pooled.driver_connection.fetch(text, *args)  # type: ignore[union-attr]
            return records
        except BaseException as exc:
            if _refused(exc):
                raise StatementRefused from exc
            await _discard(pooled, exc)
            _raise_known(exc, text, args)


def _raise_known(
    exc: BaseException, text: str, params: Mapping[str, Any] | Sequence[Any]
) -> NoReturn:
    """Raise a write's failure, its connection already given up, as the 503 middleware
    knows an outage's.

    A backend killed just before the write leaves asyncpg taking in the server's last
    error ("another operation is in progress"): the connection is gone, an outage, so
    it goes up as SQLAlchemy reports one. Anything else goes up as it was. Statements
    SQLAlchemy runs itself get the same from app/core/db.py's `handle_error` listener.
    """
    if isinstance(exc, asyncpg.InternalClientError):
        raise OperationalError(text, params, exc, connection_invalidated=True) from exc
    raise exc


def _refused(exc: BaseException) -> bool:
    """Whether the server refused the statement, its connection fine for the next one.

    57014 (a statement timeout, say) counts as an outage for the 503, but the
    connection is fine; so is it after any other refusal of the statement."""
    return isinstance(exc, asyncpg.PostgresError) and (
        isinstance(exc, asyncpg.QueryCanceledError) or not is_database_unavailable(exc)
    )


async def _invalidate(connection: AsyncConnection, exc: BaseException) -> None:
    logger.warning("invalidating a session's connection: %s", type(exc).__name__)
    with CancelScope(shield=True):
        await connection.invalidate(exc)


def _shown(sql: tuple[str, tuple[str, ...]], params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement's text and arguments in $n order, shown to the listeners first."""
    text, names = sql
    args = [params[name] for name in names]
    for listener in _listeners:
        listener(text)
    return text, args


class ConnectionFailed(Exception):
    """A pooled connection failed under a statement and was discarded (see
    `DriverQuery.fetch_pooled`): whatever the statement was for can be tried again
    through SQLAlchemy, which deals with the outage as it does for its own."""


class StatementRefused(Exception):
    """The server refused a write run by `DriverWrite.fetch_pooled`: nothing was
    written, and the connection is fine."""


@asynccontextmanager
async def pooled_connection(engine: AsyncEngine) -> AsyncIterator[PoolProxiedConnection]:
    """A connection from `engine`'s pool, outside any session, for `fetch_pooled`.

    No transaction is begun on it, so each statement commits as it runs: for the
    reads that PostgreSQL's read sessions do the same (app/core/db.py), in a quarter
    of the CPU a session takes to check a connection out and in (50 against 190 us).
    Checked back in afterwards, shielded as `end_session` is: a check-in cut short
    by a cancellation would lose the connection to the pool.
    """
    pooled = await engine.raw_connection()
    try:
        yield pooled
    finally:
        with CancelScope(shield=True):
            await greenlet_spawn(pooled.close)


async def _discard(pooled: PoolProxiedConnection, exc: BaseException) -> None:
    logger.warning("discarding a pooled connection: %s", type(exc).__name__)
    with CancelScope(shield=True):
        await greenlet_spawn(pooled.invalidate, exc)


# The session's connection, kept in `Session.info` by the first statement run here.
_CONNECTION = "followup.driver.connection"


async def _connection_of(session: AsyncSession) -> AsyncConnection:
    """`await session.connection()`, without its greenlet hop after the first time.

    Two of these statements run in most requests, and asking the session again costs
    12 us. What was asked first is still the session's connection for as long as it
    is open: when the session's transaction ends, it closes (goes back to the pool),
    and the next statement asks the session again.
    """
    known: AsyncConnection | None = session.info.get(_CONNECTION)
    if known is not None and _pooled(known) is not None:
        return known
    connection = session.info[_CONNECTION] = await session.connection()
    return connection


def _pooled(connection: AsyncConnection) -> PoolProxiedConnection | None:
    """The pooled connection under `connection` if it is open and valid, else None.

    Read without the greenlet hop of `get_raw_connection` (10 us), which is only
    needed to reconnect an invalidated connection: that case is left to it.
    """
    sync = connection.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    return sync.connection


def _is_asyncpg(connection: AsyncConnection) -> bool:
    return connection.dialect.driver == "asyncpg"
