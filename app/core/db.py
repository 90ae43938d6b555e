"""Engine, sessions and the per-request transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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
    return create_async_engine(url, **options)


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
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for GET and HEAD requests: on PostgreSQL, without BEGIN and COMMIT.

    A read gains nothing from a transaction at PostgreSQL's READ COMMITTED (every
    statement takes its own snapshot either way), and BEGIN and COMMIT are two of
    the four round trips of a typical GET, which the benchmark showed cost more than
    the queries. The few writes a read makes (a token's last_used_at, a web
    session's renewal) are single statements, committed as they run.
    """
    if is_sqlite(engine.url):
        return create_sessionmaker(engine)
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


def sessionmaker_of(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return factory


def _request_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    if request.method in READ_METHODS:
        reader: async_sessionmaker[AsyncSession] | None = getattr(
            request.app.state, "read_sessionmaker", None
        )
        if reader is not None:
            return reader
    return sessionmaker_of(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request (none for reads on PostgreSQL, see above): commit
    when the handler succeeds, roll back otherwise."""
    async with _request_sessionmaker(request)() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


# scope="function": commit before the response is sent, so a 2xx is only ever
# answered for a change that is durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
