"""The confirmation step every delete goes through (a page, so it works without JS)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at start-up
# (tests/test_annotations.py).

from starlette.requests import Request
from starlette.responses import Response

from app.web.deps import Viewer
from app.web.templating import render


def confirm_page(
    request: Request,
    viewer: Viewer,
    *,
    title: str,
    what: str,
    consequence: str,
    action: str,
    cancel: str,
    button: str,
    section: str = "applications",
) -> Response:
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "section": section,
            "what": what,
            "consequence": consequence,
            "action": action,
            "cancel": cancel,
            "button": button,
        },
        viewer=viewer,
    )
