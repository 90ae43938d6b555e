"""app.webhooks.signing.verify: whatever the headers hold, a refusal is a SignatureError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.webhooks.signing import SignatureError, new_secret, signature_headers, verify

SECRET = new_secret()
NOW = datetime(2026, 12, 1, tzinfo=UTC)
# Header values as Starlette hands them over: latin-1 text.
HEADER_TEXT = st.text(st.characters(max_codepoint=255), max_size=2000)


@given(
    message_id=HEADER_TEXT,
    timestamp=st.one_of(HEADER_TEXT, st.integers(min_value=0).map(str), st.just("9" * 400)),
    signature=HEADER_TEXT,
    body=st.binary(max_size=200),
)
@settings(max_examples=300, deadline=None)
def test_any_malformed_header_is_a_signature_error(
    message_id: str, timestamp: str, signature: str, body: bytes
) -> None:
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
    }
    with pytest.raises(SignatureError):
        verify(SECRET, headers, body, now=NOW)


@pytest.mark.parametrize("timestamp", ["9" * 400, "9" * 5000, "1" + "0" * 12, "-1", "1e9", " 1"])
def test_timestamps_that_are_no_unix_time_are_refused(timestamp: str) -> None:
    headers = signature_headers(SECRET, "msg_1", int(NOW.timestamp()), b"{}")
    headers["webhook-timestamp"] = timestamp
    with pytest.raises(SignatureError):
        verify(SECRET, headers, b"{}", now=NOW)


def test_a_correct_signature_still_verifies() -> None:
    headers = signature_headers(SECRET, "msg_1", int(NOW.timestamp()), b"{}")
    assert verify(SECRET, headers, b"{}", now=NOW) == "msg_1"
