"""Test fixtures: a migrated database per backend, a rolled-back transaction per test.

Every database test runs on SQLite and, when FOLLOWUP_TEST_DATABASE_URL is set, on
PostgreSQL too. That variable pointing at a server that can't be reached is an
error, never a silent skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from app.core.config import Settings
from app.core.db import create_engine
from app.core.encryption import current_keyring, install_keyring
from app.main import create_app
from app.models import Application, Interview, Interviewer
from tests.databases import BACKENDS, migrated_database
from tests.factories import (
    UserWithToken,
    create_application,
    create_interview,
    create_interviewer,
    create_user_with_token,
)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _process_keyring_restored() -> Iterator[None]:
    """An app built with other encryption keys installs them for the whole process: put
    the usual ones back, so the next test reads what its fixtures wrote."""
    keyring = current_keyring()
    yield
    install_keyring(keyring)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with migrated_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, run_worker=False)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        if conn.dialect.name == "postgresql":
            # users.data_version's triggers are deferred to commit, and this transaction
            # never commits: fire them at each write instead, as SQLite's do.
            await conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every session (the app's and the test's) joins the test's transaction through
    # SAVEPOINTs, so the app can commit as usual and the test still rolls it all back.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@asynccontextmanager
async def app_client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, sessionmaker) as c:
        yield c


@pytest.fixture
def local_settings(settings: Settings) -> Settings:
    """Webhook targets on 127.0.0.1 (the tests' receivers), which only this setting allows."""
    return settings.model_copy(update={"webhooks_allow_private_targets": True})


@pytest.fixture
async def local_client(
    local_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(local_settings, sessionmaker) as c:
        yield c


@pytest.fixture
async def alice(session: AsyncSession) -> UserWithToken:
    return await create_user_with_token(session, email="alice@example.com", name="Alice Archer")


@pytest.fixture
async def bob(session: AsyncSession) -> UserWithToken:
    return await create_user_with_token(session, email="bob@example.com", name="Bob Baker")


# The setup most resource tests start from: Alice's application at Acme Corp, with one
# interviewer, and an interview with that interviewer that ended an hour ago.


@pytest.fixture
async def application(session: AsyncSession, alice: UserWithToken) -> Application:
    return await create_application(session, alice.user)


@pytest.fixture
async def interviewer(session: AsyncSession, application: Application) -> Interviewer:
    return await create_interviewer(session, application)


@pytest.fixture
async def interview(
    session: AsyncSession, application: Application, interviewer: Interviewer
) -> Interview:
    return await create_interview(session, application, [interviewer])
