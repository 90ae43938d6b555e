"""The /api/v1 routers: every resource router in one place.

create_app includes each of them into the app under API_PREFIX.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.applications.router import router as applications_router
from app.auth.router import auth_router, me_router
from app.calendar.router import router as calendar_router
from app.events.router import router as events_router
from app.integrations.router import inbound_router
from app.integrations.router import router as integrations_router
from app.interviews.router import router as interviews_router
from app.notifications.router import router as notifications_router
from app.people.interviewer_router import router as interviewers_router
from app.people.reference_router import router as references_router
from app.portability.router import router as portability_router
from app.recommendations.router import router as recommendations_router
from app.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"

ROUTERS: tuple[APIRouter, ...] = (
    auth_router,
    me_router,
    notifications_router,
    applications_router,
    interviews_router,
    interviewers_router,
    events_router,
    references_router,
    recommendations_router,
    calendar_router,
    portability_router,
    webhooks_router,
    integrations_router,
    inbound_router,
)
