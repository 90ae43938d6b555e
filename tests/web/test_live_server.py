"""The browser tests' own plumbing: a missing Chromium is a failure that says what to do."""

from __future__ import annotations

import pytest

from tests.web import live_server


def test_a_missing_chromium_fails_with_instructions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_server, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match=r"apt-get install -y chromium"):
        live_server.require_chromium()
