"""One build of each route's request handler per test process, for the many apps the tests
make.

FastAPI builds an included route's handler (its dependency tree, a pydantic field per
parameter) lazily, on an app's first request, once per app: about 0.4 s for SafetyZone's
~290 routes, a third of the CPU of a test module like tests/services/test_consult.py. The
suite makes a fresh app for most tests (each test has its own database, and the app is
built around it), so it paid that build thousands of times.

What a built handler depends on is the route itself and how its router was included (path
prefix, dependencies, tags, size limits ...), never the app's collaborators: routes reach
the database, the clock and the settings through ``request.app.state`` (web/deps.py),
looked up per request. So one build per process can serve every app the tests make, and
each app still answers with its own state. ``install()`` memoizes the build on exactly
those inputs (an object without equality, a router, by identity); an app that has
``dependency_overrides`` builds its own, and its overrides apply. The one thing a
shared handler does not see is an override set on an app after its first request; nothing
in SafetyZone overrides dependencies (collaborators are passed to ``create_app``).

Production is untouched: a server builds one app, and this module is imported by the tests
only. ``tests/test_support_routes.py`` checks the sharing and its limits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from types import MappingProxyType
from typing import Any

from fastapi import routing
from fastapi.datastructures import DefaultPlaceholder

_Context = Any  # fastapi.routing._EffectiveRouteContext: private, so not named in a signature


class _NoOverrides:
    """The override provider of every shared handler: overrides of no app, and none to add."""

    dependency_overrides: MappingProxyType[Any, Any] = MappingProxyType({})


NO_OVERRIDES = _NoOverrides()
_built: dict[Hashable, tuple[list[object], _Context]] = {}
_original: Any = None
builds = 0  # handlers built (not shared) since install(): the test reads it


def _frozen(value: Any, pins: list[object]) -> Hashable:
    """``value`` as a hashable key, equal for equal include settings.

    An unhashable object (a router) stands for itself: its id, with the object kept
    (``pins``) for as long as the key, so that no later object can take that id.
    """
    if isinstance(value, list | tuple):
        return tuple(_frozen(v, pins) for v in value)
    if isinstance(value, dict):
        return tuple((_frozen(k, pins), _frozen(v, pins)) for k, v in value.items())
    if isinstance(value, DefaultPlaceholder):
        return ("default", _frozen(value.value, pins))
    try:
        hash(value)
    except TypeError:
        pins.append(value)
        return ("object", id(value))
    result: Hashable = value
    return result


def _from_api_route(cls: Any, *, original_route: Any, include_context: Any) -> _Context:
    global builds
    provider = include_context.dependency_overrides_provider
    if getattr(provider, "dependency_overrides", None):  # this app's own handlers
        builds += 1
        return _original(original_route=original_route, include_context=include_context)
    pins: list[object] = [original_route]
    key = (id(original_route), tuple(
        (f.name, _frozen(getattr(include_context, f.name), pins))
        for f in dataclasses.fields(include_context) if f.name != "dependency_overrides_provider"))
    built = _built.get(key)
    if built is None:
        builds += 1
        context = _original(original_route=original_route, include_context=dataclasses.replace(
            include_context, dependency_overrides_provider=NO_OVERRIDES))
        built = _built[key] = (pins, context)
    return built[1]


def install() -> None:
    """Share route handlers between the apps of this process (idempotent)."""
    global _original
    effective = routing._EffectiveRouteContext
    if _original is None:
        _original = effective.from_api_route
        effective.from_api_route = classmethod(_from_api_route)  # type: ignore[method-assign,assignment]
