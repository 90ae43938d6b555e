"""/healthz (the process is up) and /readyz (the database answers)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from app.core.db import TransactionRoute, sessionmaker_of
from app.core.errors import ProblemError, error_responses

router = APIRouter(route_class=TransactionRoute, tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class DatabaseUnavailable(ProblemError):
    status = 503


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Health:
    return Health()


@router.get("/readyz", operation_id="readyz", responses=error_responses(503))
async def readyz(request: Request) -> Health:
    try:
        async with sessionmaker_of(request)() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        raise DatabaseUnavailable("The database cannot be reached.") from exc
    return Health()
