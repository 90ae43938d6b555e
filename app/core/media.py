"""415 for a body that says it is not JSON, on the operations that read JSON.

FastAPI would try such a body as JSON anyway (or call it missing) and answer 422 about
its fields, which sends a client looking in the wrong place: the body's type is wrong,
not its content. Operations that read a form (the OAuth2 token grant) or the raw bytes
(inbound events, whose signature comes first) are left alone.
"""

from __future__ import annotations

from fastapi import params
from fastapi.routing import APIRoute
from starlette.requests import Request

from app.core.errors import ProblemError


class UnsupportedMediaType(ProblemError):
    status = 415

    def __init__(self) -> None:
        super().__init__("Send the body as JSON, with Content-Type: application/json.")


def reads_json(route: APIRoute) -> bool:
    body = route.dependant.body_params
    return bool(body) and not any(isinstance(p.field_info, params.Form) for p in body)


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def refuse_non_json(request: Request) -> None:
    """Raise 415 when the request carries a body whose Content-Type isn't JSON."""
    headers = request.headers
    has_body = "transfer-encoding" in headers or headers.get("content-length", "0") not in (
        "0",
        "",
    )
    if has_body and not is_json(headers.get("content-type", "")):
        raise UnsupportedMediaType
