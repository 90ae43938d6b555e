"""next_link writes what Starlette's `URL.include_query_params(cursor=...)` writes.

It is built by hand for speed (app/core/pagination.py), so it is compared here with
Starlette's own answer for the queries and hosts a client can send.
"""

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


QUERIES = [
    b"",
    b"limit=50",
    b"limit=50&cursor=old",  # the cursor replaced, moved last
    b"cursor=old&limit=5&q=acme",
    b"status=applied&status=offer&limit=2",  # repeated parameters kept in order
    b"q=caf%C3%A9+bar&active=true",  # encoded text re-encoded the same way
    b"q=&limit=3",  # a blank value kept
    b"q=a%26b%3Dc",  # & and = inside a value
    b"updated_since=2026-11-27T10%3A00%3A00%2B00%3A00",
    b"cursor=a&cursor=b",  # both replaced by one
]


@pytest.mark.parametrize("query", QUERIES)
def test_it_is_starlette_s_url_with_the_cursor(query: bytes) -> None:
    request = _request(query)
    expected = f'<{request.url.include_query_params(cursor=CURSOR)}>; rel="next"'
    assert next_link(request, CURSOR) == expected


@pytest.mark.parametrize(
    "scope",
    [
        {"host": b"[::1]:8000"},
        {"host": None},  # no Host header: the server's address and port
        {"host": None, "server": ("10.0.0.1", 443)},  # the scheme's default port, left out
        {"host": b"api.example.com", "root_path": "/followup"},
        {"host": b"api.example.com", "scheme": "http"},
    ],
)
def test_hosts_and_prefixes_are_starlette_s_too(scope: dict[str, Any]) -> None:
    request = _request(b"limit=10", **scope)
    expected = f'<{request.url.include_query_params(cursor=CURSOR)}>; rel="next"'
    assert next_link(request, CURSOR) == expected
    assert next_link(request, CURSOR).endswith(f'?limit=10&cursor={CURSOR}>; rel="next"')
