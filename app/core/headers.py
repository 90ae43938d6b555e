"""Security headers on every response, and CORS only for the origins configured.

Pages rendered by the web client set their own full policy (app.web.templating); this
adds the baseline to everything else too (API JSON, redirects, static files, plain
error answers), so no response can be sniffed into HTML, framed, or leak the URL in a
Referer. /docs and /redoc are left without a CSP: FastAPI's Swagger UI and ReDoc pages
load their scripts from a CDN and start them inline.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# For responses that are not pages (JSON, redirects): nothing may run or be framed.
LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = str(scope.get("path", "")).startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASELINE.items():
                    headers.setdefault(name, value)
                if not is_docs:
                    headers.setdefault("Content-Security-Policy", LOCKED_DOWN_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Closed unless FOLLOWUP_CORS_ORIGINS names origins: browsers then let only those
    call the API. Bearer tokens, not cookies, so no credentials mode."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
        expose_headers=["ETag", "Location", "Link", "Retry-After", "X-Request-ID"],
        allow_credentials=False,
        max_age=600,
    )
