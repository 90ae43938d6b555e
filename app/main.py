"""create_app(): routers, middleware, error handlers and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api import API_PREFIX, ROUTERS
from app.auth.usage import TokenUsage
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_read_sessionmaker, create_sessionmaker
from app.core.encryption import Keyring, install_keyring
from app.core.errors import install_error_handlers
from app.core.headers import SecurityHeadersMiddleware, install_cors
from app.core.limits import BodySizeLimitMiddleware, BodyTimeoutMiddleware
from app.core.openapi_polish import install_openapi_polish
from app.core.ratelimit import RateLimits
from app.core.request_log import RequestLogMiddleware
from app.core.sql_count import StatementCountMiddleware, count_statements_of
from app.core.unavailable import DatabaseUnavailableMiddleware
from app.health import router as health_router
from app.recommendations.cache import step_cache
from app.web import UPLOAD_PAGES, install_web
from app.webhooks.openapi_docs import install_webhook_docs
from app.worker import embedded_worker

DESCRIPTION = """\
Followup tracks job applications, interviews, the people met, references and
every follow-up, and tells you what to do next, for whom, by when and why.

Authenticate with `Authorization: Bearer <token>`: get an access token from
`POST /api/v1/auth/token`, or create a personal API token at `/api/v1/tokens`.
Errors are RFC 9457 problem documents (`application/problem+json`).
"""


def create_app(
    settings: Settings | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> FastAPI:
    """Build the app. Tests pass their own `sessionmaker` (bound to a rolled-back connection)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if sessionmaker is not None:
            app.state.sessionmaker = sessionmaker
            yield
            return
        engine = create_engine(settings.database_url)
        if settings.count_sql:
            count_statements_of(engine)
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_read_sessionmaker(engine)
        try:
            async with app.state.token_usage.recording(app.state.sessionmaker):
                if settings.run_worker:
                    async with embedded_worker(settings, app.state.sessionmaker):
                        yield
                else:
                    yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Followup",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    step_cache.max_steps = settings.recommendation_cache_steps
    install_keyring(Keyring.from_settings(settings))
    app.state.rate_limits = RateLimits(settings)
    app.state.token_usage = TokenUsage()
    if sessionmaker is not None:
        app.state.sessionmaker = sessionmaker
    install_error_handlers(app)
    app.include_router(health_router)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_webhook_docs(app)  # the schema's `webhooks` section and inbound event types
    install_web(app)  # pages, /static, HTML error pages for non-/api paths
    install_openapi_polish(app)  # last: finishes the schema the others built
    # Middleware only for what crosses every request. Added innermost first, so read
    # from the bottom up for the order a request meets them:
    # the size limit, innermost, refuses a body over 1 MiB before any route reads it
    # (the upload pages hear of it instead, to say so next to their file field);
    app.add_middleware(BodySizeLimitMiddleware, told_paths=UPLOAD_PAGES)
    # the body timeout around it, whose reading of the body it times: 408 for a stalled one;
    app.add_middleware(BodyTimeoutMiddleware, seconds=settings.body_timeout_seconds)
    # outside everything that touches the database, inside the log so it sees the 503;
    app.add_middleware(DatabaseUnavailableMiddleware)
    # CORS outside the size limit and the database, so preflights are answered first;
    install_cors(app, settings)
    # the log sees every response, 413s and 503s included, and tags it X-Request-ID;
    app.add_middleware(RequestLogMiddleware)
    # security headers on every answer, the log's 500s too;
    app.add_middleware(SecurityHeadersMiddleware)
    # the benchmark's statement count, outermost, installed only when asked for.
    if settings.count_sql:
        app.add_middleware(StatementCountMiddleware)
    return app


app = create_app()
