"""Recommendation ids never change for the same situation.

Users' dismissals and snoozes, and the webhook scheduler's record of what it announced, are
stored by id: if an optimisation changed how an id is computed, every dismissed step would come
back. These values were computed by the engine before its ids were ever optimised.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.policy.ids import instant_key, recommendation_id

PINNED = [
    (
        ("send_thank_you_email", "app-1", "app-1-i0", "app-1-p1", None, ()),
        "a15a072b0ca6db5dcf517dc9",
    ),
    (("brief_reference", "app-2", None, None, "ref-3", ()), "dbd72aabc9a85409279b5c01"),
    (
        (
            "send_status_inquiry",
            "app-1",
            "app-1-i1",
            None,
            None,
            ("2", "2025-06-01T09:00:00+00:00"),
        ),
        "f6d5cd711041e3a0f9db7056",
    ),
    (("keep_applying", None, None, None, None, ("",)), "f7f9095a6c445d55ebd31d7e"),
    (("get_contact_info", "a", "a-i0", None, None, ("a-p0", "a-p2")), "138bbde4f9b1b4aa54e6ace2"),
]


@pytest.mark.parametrize(("parts", "digest"), PINNED)
def test_ids_are_stable_across_versions(
    parts: tuple[str, str | None, str | None, str | None, str | None, tuple[str, ...]],
    digest: str,
) -> None:
    assert recommendation_id(*parts) == f"rec_{digest}"


def test_instant_key_is_the_same_for_the_same_instant_in_any_offset() -> None:
    berlin_summer = timezone(timedelta(hours=2))
    local = datetime(2025, 6, 1, 11, 0, tzinfo=berlin_summer)
    assert instant_key(local) == "2025-06-01T09:00:00+00:00"
    assert instant_key(local) == instant_key(local.astimezone(UTC))
