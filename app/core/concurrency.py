"""Optimistic concurrency: `version` as the ETag, `If-Match` checked before writes."""

from __future__ import annotations

from fastapi import Request, Response

from app.core.errors import PreconditionFailed


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(request: Request, version: int) -> None:
    """412 unless If-Match is absent, `*`, or names the current version."""
    header = request.headers.get("if-match")
    if header is None:
        return
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    if "*" in candidates or etag(version) in candidates:
        return
    raise PreconditionFailed(
        "The resource changed since you read it (its ETag is now "
        f"{etag(version)}). Fetch it again and retry."
    )
