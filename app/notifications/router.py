"""/me/notifications: which mail the user gets, and a test mail on demand."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from fastapi import APIRouter, Request, status

from app.auth.deps import CurrentUser
from app.core.config import Settings
from app.core.db import SessionDep, TransactionRoute
from app.core.errors import error_responses
from app.models.base import utcnow
from app.notifications import service
from app.notifications.schemas import (
    NotificationSettings,
    NotificationSettingsOut,
    TestMailQueued,
)

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/me/notifications",
    tags=["notifications"],
    responses=error_responses(401),
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", operation_id="getNotificationSettings")
async def get_notification_settings(user: CurrentUser) -> NotificationSettingsOut:
    return service.settings_out(user)


@router.put("", operation_id="putNotificationSettings", responses=error_responses(422))
async def put_notification_settings(
    data: NotificationSettings, user: CurrentUser, session: SessionDep
) -> NotificationSettingsOut:
    """Replace the settings; a field left out takes its default."""
    return await service.update_settings(session, user, data)


@router.post(
    "/test",
    operation_id="sendTestNotification",
    status_code=status.HTTP_202_ACCEPTED,
)
async def send_test_notification(
    request: Request, user: CurrentUser, session: SessionDep
) -> TestMailQueued:
    """Send the digest as it would be now, at once, even when nothing is due."""
    message_id, steps = await service.queue_test_mail(
        session, _settings(request), user, now=utcnow()
    )
    return TestMailQueued(message_id=message_id, steps=steps)
