"""RFC 9457 problem details: one error base class, one renderer, every error goes through it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger("followup.errors")

PROBLEM_JSON = "application/problem+json"

VALIDATION = "validation"
# What pydantic puts before the message of a ValueError / AssertionError raised in a validator.
LIBRARY_PREFIXES = ("Value error, ", "Assertion failed, ")
CANDIDATE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# Messages for fields a client may read but never write (no mass assignment: docs/api.md).
READ_ONLY_FIELDS = frozenset(
    {"id", "owner_id", "created_at", "updated_at", "version", "source", "user_id"}
)


class ValidationErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is, e.g. ['body', 'company'].")
    msg: str = Field(description="What is wrong, in plain words.")
    type: str = Field(description="A machine-readable error code, e.g. 'missing'.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(default="about:blank", description="A URI identifying the problem type.")
    title: str = Field(description="A short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence, in plain words.")
    errors: list[ValidationErrorItem] | None = Field(
        default=None, description="Each invalid input, on validation errors."
    )


class ProblemError(Exception):
    """Base class for every error the API answers with on purpose."""

    status: int = 500
    slug: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})


class BadRequest(ProblemError):
    status = 400


class Unauthorized(ProblemError):
    status = 401

    def __init__(self, detail: str = "Missing or invalid credentials.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"No {what} with that id exists.")


class Conflict(ProblemError):
    status = 409


class PreconditionFailed(ProblemError):
    status = 412


class Unprocessable(ProblemError):
    """422 for inputs that are well-formed but not acceptable (a foreign id, a past snooze)."""

    status = 422

    def __init__(self, detail: str, *, loc: Sequence[str | int] | None = None) -> None:
        errors = None
        if loc is not None:
            errors = [{"loc": list(loc), "msg": detail, "type": "value_error"}]
        super().__init__(detail, errors=errors)


class TooManyRequests(ProblemError):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})


def problem_response(
    status: int,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    slug: str | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    if status == 422:
        slug = VALIDATION  # one type for every 422, whichever layer found the problem
    body: dict[str, Any] = {
        "type": f"urn:followup:problem:{slug}" if slug else "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _validation_items(exc: RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for error in exc.errors():
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        kind = str(error.get("type", "value_error"))
        msg = str(error.get("msg", "Invalid value."))
        for prefix in LIBRARY_PREFIXES:
            msg = msg.removeprefix(prefix)
        if kind == "extra_forbidden" and loc and loc[-1] in READ_ONLY_FIELDS:
            kind, msg = "read_only", f"'{loc[-1]}' is read-only and cannot be set."
        elif kind == "extra_forbidden":
            msg = f"Unknown field '{loc[-1]}'." if loc else "Unknown field."
        elif kind == "timezone_aware":
            msg = "Give the datetime with an offset, e.g. 2026-03-01T14:00:00+01:00."
        elif kind == "json_invalid":
            loc, msg = ["body"], _where_json_breaks(exc.body, error)
        items.append({"loc": loc, "msg": msg, "type": kind})
    return items


def _where_json_breaks(document: Any, error: Mapping[str, Any]) -> str:
    """'The body is not valid JSON: ... at line 2, column 15.' FastAPI reports the
    position as a character offset in `loc`, which reads like a field to a person."""
    reason = str(error.get("ctx", {}).get("error", "")).rstrip(".")
    position = error.get("loc", ())[-1] if error.get("loc") else None
    text = document if isinstance(document, str) else None
    if isinstance(document, bytes):
        text = document.decode("utf-8", "replace")
    where = ""
    if text is not None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        where = f" at line {line}, column {column}"
    reason = reason or "it can't be read"
    return f"The body is not valid JSON: {reason}{where}."


async def _on_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status, exc.detail, errors=exc.errors, headers=exc.headers, slug=exc.slug
    )


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = _validation_items(exc)
    if items and items[0]["type"] == "json_invalid":
        detail = items[0]["msg"]
    else:
        fields = ", ".join(".".join(str(p) for p in item["loc"]) for item in items[:5])
        detail = (
            f"The request is not valid: check {fields}." if fields else "The request is invalid."
        )
    return problem_response(422, detail, errors=items, slug=VALIDATION)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = exc.headers
    if exc.status_code == 404:
        detail = "Nothing is at this address."
    elif exc.status_code == 405:
        detail = "This method is not allowed here."
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return problem_response(exc.status_code, detail, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path, found by asking the routes whether they
    would take the request with each method. (Starlette's own `Allow` names only the first
    route that matched the path, e.g. GET for /me, which also takes PATCH; and FastAPI's
    included routers don't expose their routes' methods.)"""
    allowed = []
    for method in CANDIDATE_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


async def _on_stale(_: Request, exc: Exception) -> JSONResponse:
    # Two writers read the same version and both passed the If-Match check; the row's
    # version column let only one UPDATE match. The loser is told what a stale
    # If-Match would have told it, and its transaction is rolled back.
    return problem_response(
        412, "The resource changed while you were changing it. Fetch it again and retry."
    )


async def _on_unhandled(request: Request, exc: Exception) -> JSONResponse:
    # Log the traceback for operators; tell the client nothing about the internals.
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "Something went wrong on our side. Please try again.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(StaleDataError, _on_stale)
    app.add_exception_handler(Exception, _on_unhandled)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting each listed problem status in the schema."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
