"""Hand finished messages to the mail server, or, with no server set, to .eml files.

`smtp://` connects in the clear and upgrades with STARTTLS when the server offers it;
`smtps://` speaks TLS from the first byte. One connection serves a whole batch.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

logger = logging.getLogger("followup.mail")

SMTP_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the server needs besides the message: who it is from and to, and a name for files."""

    message_id: str
    sender: str
    recipient: str
    content: bytes


class SendError(Exception):
    """The server refused or the connection failed; `permanent` when retrying can't help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    async def __aenter__(self) -> Transport: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def send(self, envelope: Envelope) -> None: ...


def sender_address(mail_from: str) -> str:
    return parseaddr(mail_from)[1]


class FileTransport:
    """Writes each message to `<dir>/<message id>.eml` and logs where: no server needed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def __aenter__(self) -> FileTransport:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def send(self, envelope: Envelope) -> None:
        path = self.directory / f"{envelope.message_id}.eml"
        await asyncio.to_thread(self._write, path, envelope.content)
        logger.info("mail to %s written to %s", envelope.recipient, path)

    def _write(self, path: Path, content: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)  # a reader never sees half a message


class SmtpTransport:
    """One SMTP connection, opened on first use and again after a failure."""

    def __init__(self, url: str, tls_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.tls_context = tls_context
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpTransport:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._close()

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.implicit_tls,
            # None: STARTTLS when the server offers it, plain when it doesn't.
            start_tls=None if not self.implicit_tls else False,
            username=self.username,
            password=self.password,
            tls_context=self.tls_context,
            timeout=SMTP_TIMEOUT,
        )
        await client.connect()
        return client

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()

    async def send(self, envelope: Envelope) -> None:
        try:
            if self._client is None or not self._client.is_connected:
                self._client = await self._connect()
            await self._client.sendmail(envelope.sender, [envelope.recipient], envelope.content)
        except aiosmtplib.SMTPResponseException as exc:
            await self._close()
            raise SendError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            await self._close()
            raise SendError(f"{type(exc).__name__}: {exc}") from exc


def open_transport(
    smtp_url: str, mail_dir: Path, tls_context: ssl.SSLContext | None = None
) -> Transport:
    if not smtp_url:
        return FileTransport(mail_dir)
    return SmtpTransport(smtp_url, tls_context)
