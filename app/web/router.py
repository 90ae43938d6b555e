"""Every page of the web client, in one router kept out of the OpenAPI schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.db import TransactionRoute
from app.web.routes import (
    applications,
    auth,
    dashboard,
    events,
    integrations,
    interviewers,
    interviews,
    references,
    settings,
    tokens,
    webhooks,
)

web_router = APIRouter(route_class=TransactionRoute, include_in_schema=False)
for module in (
    auth,
    dashboard,
    applications,
    interviews,
    interviewers,
    events,
    references,
    settings,
    tokens,
    webhooks,
    integrations,
):
    web_router.include_router(module.router)
