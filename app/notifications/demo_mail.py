"""`followup demo` ends by sending the demo account today's digest, so a newcomer can open
one: with no mail server set, it is an .eml file under FOLLOWUP_MAIL_DIR."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.service import user_by_email
from app.core.config import Settings
from app.models.base import utcnow
from app.notifications.delivery import send_due_mail
from app.notifications.service import queue_digest_now
from app.notifications.transport import open_transport, sender_address


async def send_demo_digest(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> str:
    """Queue and send the account's digest now; where it went, for the user to look."""
    async with sessionmaker() as session:
        user = await user_by_email(session, email)
        assert user is not None
        message_id, _ = await queue_digest_now(session, settings, user, now=utcnow(), test=False)
        await session.commit()
    if message_id is None:
        return "already sent today"
    await send_due_mail(
        sessionmaker,
        lambda: open_transport(settings.smtp_url, settings.mail_dir),
        sender=sender_address(settings.mail_from),
    )
    if settings.smtp_url:
        return f"sent to {email}"
    return str(settings.mail_dir / f"{message_id.hex}.eml")
