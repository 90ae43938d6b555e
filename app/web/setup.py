"""Plugging the web client into the app: its routes, /static, and HTML error pages."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from app.web.errors import install_html_error_pages
from app.web.router import web_router
from app.web.templating import STATIC_DIR


def install_web(app: FastAPI) -> None:
    """Call after the API's routers and error handlers are installed."""
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_html_error_pages(app)
