"""Every page of the web client: its routers, in the order the app includes them.

A tuple, not one router that includes the others: FastAPI builds a nested router's
routes again when the app includes it: 58 pages built twice, 4 % of the
instructions it takes to import app.main (callgrind).
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter

from app.web.routes import (
    applications,
    auth,
    calendar,
    dashboard,
    data,
    events,
    integrations,
    interviewers,
    interviews,
    notifications,
    pipeline,
    progress,
    references,
    settings,
    tokens,
    webhooks,
)

WEB_ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        auth,
        dashboard,
        pipeline,  # before applications: /applications/board is not an application's id
        applications,
        interviews,
        interviewers,
        events,
        progress,
        references,
        settings,
        notifications,
        calendar,
        data,
        tokens,
        webhooks,
        integrations,
    )
)
