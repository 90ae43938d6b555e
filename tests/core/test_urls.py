"""app/core/urls.url_for gives what Starlette's request.url_for gives, for every call of
it in app/ (found by reading the source), with and without a proxy's root path."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from starlette.requests import Request

from app.core.config import Settings
from app.core.urls import url_for
from app.main import create_app

APP = Path(__file__).resolve().parents[2] / "app"


def _calls() -> set[tuple[str, tuple[str, ...]]]:
    """(route name, path parameter names) of every `url_for(request, "name", ...)`."""
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "url_for"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
            ):
                params = tuple(k.arg for k in node.keywords if k.arg is not None)
                found.add((node.args[1].value, params))
    return found


@pytest.mark.parametrize("root_path", ["", "/behind/proxy"])
def test_every_call_gives_starlettes_url(settings: Settings, root_path: str) -> None:
    app = create_app(settings)
    request = Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/anything",
            "root_path": root_path,
            "scheme": "https",
            "server": ("followup.example", 443),
            "headers": [(b"host", b"followup.example")],
            "query_string": b"",
            "app": app,
        }
    )
    calls = _calls()
    assert len(calls) >= 9  # every Location header and the two feed/inbound URLs
    for name, param_names in calls:
        params = {param: f"value-{i}_x" for i, param in enumerate(param_names)}
        expected = str(request.url_for(name, **params))
        assert url_for(request, name, **params) == expected
        assert url_for(request, name, **params) == expected  # from the cached template
