"""The bundled web client: server-rendered pages over the same services as the API."""

from app.web.setup import UPLOAD_PAGES, install_web

__all__ = ["UPLOAD_PAGES", "install_web"]
