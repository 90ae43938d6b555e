"""The bundled web client: server-rendered pages over the same services as the API."""

from app.web.setup import install_web

__all__ = ["install_web"]
