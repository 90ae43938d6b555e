"""Routes and their dependencies carry evaluated annotations, not strings.

FastAPI reads the signature of every endpoint, and of every dependency again for each
route that uses it, when the app is built. A string annotation (what
`from __future__ import annotations` makes of every annotation in a module) is
eval()'d each time: 3,003 evals at start-up before the modules below dropped it,
about 2 % of `followup serve`'s time to its first healthy response.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api import ROUTERS
from app.health import router as health_router
from app.web.router import WEB_ROUTERS


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for dependency in dependant.dependencies:
        yield from calls(dependency)


def string_annotations(call: Callable[..., Any]) -> list[str]:
    signature = inspect.signature(call)  # as written: no eval
    annotations = [p.annotation for p in signature.parameters.values()]
    annotations.append(signature.return_annotation)
    return [a for a in annotations if isinstance(a, str)]


def test_every_route_and_dependency_has_evaluated_annotations() -> None:
    routers: tuple[APIRouter, ...] = (health_router, *ROUTERS, *WEB_ROUTERS)
    routes = [route for router in routers for route in router.routes]
    assert len(routes) > 100  # the API's and the pages'
    found = {
        f"{call.__module__}.{getattr(call, '__qualname__', call)}: {strings}"
        for route in routes
        if isinstance(route, APIRoute)
        for call in calls(route.dependant)
        if (strings := string_annotations(call))
    }
    assert found == set()


def test_a_string_annotation_is_found() -> None:
    def endpoint(limit: int) -> None: ...

    endpoint.__annotations__ = {"limit": "int", "return": "None"}
    assert string_annotations(endpoint) == ["int", "None"]
