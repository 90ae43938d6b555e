"""Fixtures for the mail tests: a real SMTP server, and a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import backend_of, migrated_database
from tests.notifications.smtp_server import SmtpServer, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def committed_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own: separate engines and processes can't join the rolled-back one."""
    with migrated_database(backend_of(database_url), tmp_path) as url:
        yield url
