"""The published schema, rendered the same way every time so drift shows as a diff."""

from __future__ import annotations

import json

from app.core.config import Settings
from app.main import create_app


def render_openapi() -> str:
    # Fixed settings: the schema must not depend on the machine that renders it.
    schema = create_app(Settings(env="test")).openapi()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
