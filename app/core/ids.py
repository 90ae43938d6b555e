"""Ids in paths are opaque: a malformed one is just an id that doesn't exist."""

from __future__ import annotations

import uuid

from app.core.errors import NotFound


def parse_id(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(what) from exc
