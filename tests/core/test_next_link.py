"""The `Link: rel="next"` header keeps every parameter the client sent but the cursor."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from app.core.pagination import next_link

CURSOR = "WyIyMDI2LTExLTI3VDEyOjQ3OjU5Ljgx"


def _request(query: bytes, host: bytes | None = b"api.example.com", **scope: Any) -> Request:
    headers = [(b"host", host)] if host is not None else []
    return Request(
        {
            "type": "http",
            "scheme": "https",
            "method": "GET",
            "path": "/api/v1/applications",
            "root_path": "",
            "query_string": query,
            "headers": headers,
            "server": ("10.0.0.1", 8443),
            **scope,
        }
    )


BASE = "https://api.example.com/api/v1/applications"


@pytest.mark.parametrize(
    ("query", "expected_query"),
    [
        (b"", f"cursor={CURSOR}"),
        (b"limit=50&cursor=old", f"limit=50&cursor={CURSOR}"),  # replaced, moved last
        (b"status=applied&status=offer", f"status=applied&status=offer&cursor={CURSOR}"),
        (b"q=a%26b%3Dc", f"q=a%26b%3Dc&cursor={CURSOR}"),  # & and = inside a value
        (b"cursor=a&cursor=b", f"cursor={CURSOR}"),  # both replaced by one
    ],
)
def test_the_cursor_is_replaced_and_the_rest_kept(query: bytes, expected_query: str) -> None:
    assert next_link(_request(query), CURSOR) == f'<{BASE}?{expected_query}>; rel="next"'


def test_a_request_without_host_names_the_server() -> None:
    link = next_link(_request(b"limit=10", host=None), CURSOR)
    assert (
        link == f'<https://10.0.0.1:8443/api/v1/applications?limit=10&cursor={CURSOR}>; rel="next"'
    )
