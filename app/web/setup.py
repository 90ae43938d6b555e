"""Plugging the web client into the app: its routes, /static, and HTML error pages."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from app.web.errors import install_html_error_pages
from app.web.router import WEB_ROUTERS
from app.web.routes.data import IMPORT_PATH
from app.web.templating import STATIC_DIR


def install_web(app: FastAPI) -> None:
    """Call after the API's routers and error handlers are installed. The pages stay
    out of the OpenAPI schema."""
    for router in WEB_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_html_error_pages(app)


# Page forms that take a file, where a body over the size limit is told next to the
# field rather than refused before the page sees it.
UPLOAD_PAGES = frozenset({IMPORT_PATH})
