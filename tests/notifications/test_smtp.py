"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, parsed with
`email`; STARTTLS; retries with each attempt logged; and the links resolving on a live
Followup server."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.models import MailAttempt, MailMessage, User
from app.models.base import utcnow
from app.notifications.delivery import send_due_mail
from app.notifications.service import queue_test_mail
from app.notifications.transport import FileTransport, SmtpTransport, Transport
from app.web import sessions
from tests.factories import UserWithToken, create_application, create_interview, create_user
from tests.notifications.helpers import mails
from tests.notifications.smtp_server import SmtpServer, self_signed, smtp_server
from tests.web.live_server import live_server

pytestmark = pytest.mark.anyio
SENDER = "followup@example.org"


async def _send(
    sessionmaker: async_sessionmaker[AsyncSession],
    open_transport: Callable[[], Transport],
    retry_scale: float = 1.0,
) -> int:
    return await send_due_mail(sessionmaker, open_transport, sender=SENDER, retry_scale=retry_scale)


async def test_a_message_arrives_multipart_with_every_header(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
    interview: object,
    smtp: SmtpServer,
) -> None:
    await queue_test_mail(session, settings, alice.user, now=utcnow())
    await session.commit()
    assert await _send(sessionmaker, lambda: SmtpTransport(smtp.url)) == 1

    [received] = smtp.received
    assert (received.sender, received.recipients) == (SENDER, [alice.user.email])
    message = received.parsed()
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    for header in ("Message-ID", "Date", "From", "To", "Subject"):
        assert message[header], header
    assert message["From"] == settings.mail_from
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(settings.public_url)}/unsubscribe/[^>]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'name="viewport"' in html
    assert 'content="light dark"' in html  # dark mode
    assert "style=" in html  # inline CSS only: mail clients drop <style> and links

    [mail] = await mails(session)
    assert mail.status == "sent"
    [attempt] = (await session.scalars(select(MailAttempt))).all()
    assert (attempt.attempt, attempt.error) == (1, None)


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["smtp-starttls", "smtps"])
# aiosmtpd's warning doesn't count implicit TLS as TLS; the smtps connection is TLS throughout.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_tls_and_login_with_the_servers_certificate(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
    tmp_path: Path,
    implicit_tls: bool,
) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    # It refuses mail before TLS, and logins in the clear.
    with smtp_server(
        server_tls, implicit_tls=implicit_tls, credentials=("mailer", "p@ss")
    ) as server:
        scheme = "smtps" if implicit_tls else "smtp"
        url = f"{scheme}://mailer:p%40ss@127.0.0.1:{server.port}"
        await queue_test_mail(session, settings, alice.user, now=utcnow())
        await session.commit()
        await _send(sessionmaker, lambda: SmtpTransport(url, client_tls))
        [received] = server.received
        [attempt] = (await session.scalars(select(MailAttempt))).all()
    assert attempt.error is None
    assert received.tls


async def test_a_refused_message_is_retried_with_backoff_and_each_attempt_logged(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
    smtp: SmtpServer,
) -> None:
    await queue_test_mail(session, settings, alice.user, now=utcnow())
    await session.commit()
    smtp.handler.refuse_with = "451 4.3.0 Try again later"
    await _send(sessionmaker, lambda: SmtpTransport(smtp.url), retry_scale=0.0001)
    [mail] = await mails(session)
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert mail.next_attempt_at > mail.created_at  # waits before trying again

    smtp.handler.refuse_with = None
    while not smtp.received:  # the backoff, shrunk to a millisecond
        await _send(sessionmaker, lambda: SmtpTransport(smtp.url), retry_scale=0.0001)
    [mail] = await mails(session)
    assert (mail.status, mail.attempts) == ("sent", 2)
    attempts = (await session.scalars(select(MailAttempt).order_by(MailAttempt.attempt))).all()
    assert [(a.attempt, a.error) for a in attempts] == [(1, "451 4.3.0 Try again later"), (2, None)]


async def test_a_permanent_refusal_is_not_retried(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
    smtp: SmtpServer,
) -> None:
    await queue_test_mail(session, settings, alice.user, now=utcnow())
    await session.commit()
    smtp.handler.refuse_with = "550 5.1.1 No such user"
    await _send(sessionmaker, lambda: SmtpTransport(smtp.url))
    [mail] = await mails(session)
    assert mail.status == "failed"


async def test_a_server_that_is_down_counts_as_a_failed_attempt(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
) -> None:
    await queue_test_mail(session, settings, alice.user, now=utcnow())
    await session.commit()
    await _send(sessionmaker, lambda: SmtpTransport("smtp://127.0.0.1:1"))
    [mail] = await mails(session)
    assert (mail.status, mail.attempts) == ("pending", 1)
    [attempt] = (await session.scalars(select(MailAttempt))).all()
    assert attempt.error


async def test_without_a_server_each_message_is_an_eml_file_and_its_path_is_logged(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    settings: Settings,
    alice: UserWithToken,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await queue_test_mail(session, settings, alice.user, now=utcnow())
    await session.commit()
    caplog.set_level(logging.INFO, "followup.mail")

    def files() -> Transport:
        return FileTransport(tmp_path / "mail")

    await _send(sessionmaker, files)
    [path] = (tmp_path / "mail").glob("*.eml")
    assert str(path) in caplog.text
    assert path.read_bytes() == (await mails(session))[0].content


async def test_the_links_in_a_mail_resolve_on_a_live_server(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    with live_server(tmp_path) as base_url:
        settings = Settings(
            env="test", database_url=f"sqlite:///{tmp_path / 'browser.db'}", public_url=base_url
        )
        engine = create_engine(settings.database_url)
        try:
            maker = create_sessionmaker(engine)
            async with maker() as session:
                user = await create_user(session, email="links@example.com")
                application = await create_application(session, user)
                await create_interview(session, application)  # a step due at once
                await queue_test_mail(session, settings, user, now=utcnow())
                _, cookie = await sessions.start_session(session, user)
                await session.commit()
            await _send(maker, lambda: SmtpTransport(smtp.url))
            [received] = smtp.received
            html = received.parsed().get_body(("html",)).get_content()  # type: ignore[union-attr]
            links = set(re.findall(r'href="([^"]+)"', html))
            steps = [link for link in links if "/applications/" in link]
            assert steps
            unsubscribe = next(link for link in links if "/unsubscribe/" in link)
            async with httpx.AsyncClient(cookies={sessions.COOKIE_NAME: cookie}) as browser:
                for link in links - {unsubscribe}:
                    assert link.startswith(base_url)
                    response = await browser.get(link)
                    assert response.status_code == 200, link
                for link in steps:
                    anchor = link.partition("#")[2]
                    assert f'id="{anchor}"' in (await browser.get(link)).text
            async with httpx.AsyncClient() as mail_client:  # no session: as a mail app does
                one_click = await mail_client.post(
                    unsubscribe,
                    content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                assert one_click.status_code == 200
            async with maker() as session:
                stored = await session.get_one(User, user.id)
                assert (stored.notify_digest, stored.notify_alerts) == (False, True)
                assert (await session.scalar(select(MailMessage.status))) == "sent"
        finally:
            await engine.dispose()
