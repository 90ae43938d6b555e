"""Load-or-404 for applications, scoped to the caller."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from typing import Annotated

from fastapi import Depends

from app.applications.service import get_application
from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.core.ids import parse_id
from app.models import Application


async def owned_application(
    application_id: str, user: CurrentUser, session: SessionDep
) -> Application:
    return await get_application(session, user.id, parse_id(application_id, "application"))


OwnedApplication = Annotated[Application, Depends(owned_application)]
