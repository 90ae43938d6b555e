"""Unsubscribe links: signed for one user and one kind of mail; anything else is refused."""

from __future__ import annotations

import uuid

import pytest

from app.notifications.tokens import read_unsubscribe_token, unsubscribe_token

KEY = "a-secret-key"
USER = uuid.UUID("abcdef78-1234-5678-1234-567812345678")


def test_a_token_reads_back_as_its_user_and_kind() -> None:
    for kind in ("digest", "alerts"):
        found = read_unsubscribe_token(KEY, unsubscribe_token(KEY, USER, kind))
        assert found is not None
        assert (found.user_id, found.kind) == (USER, kind)


def _altered() -> list[str]:
    token = unsubscribe_token(KEY, USER, "digest")
    user_hex, kind, signature = token.split(".")
    other = uuid.UUID(int=USER.int + 1).hex
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{other}.{kind}.{signature}",  # someone else
        f"{user_hex}.alerts.{signature}",  # another kind of mail
        f"{user_hex}.{kind}.{flipped}",  # a forged signature
        f"{user_hex.upper()}.{kind}.{signature}",  # another spelling of the id
        f"{user_hex}.{kind}",
        "",
        "not-a-token",
        unsubscribe_token("another-key", USER, "digest"),
    ]


@pytest.mark.parametrize("token", _altered())
def test_an_altered_or_forged_token_is_refused(token: str) -> None:
    assert read_unsubscribe_token(KEY, token) is None
