"""Who may set where the server fetches a camera's picture from, and what an address may be.

A camera's stream and snapshot address is where the *server* connects. Whoever sets it
points the server at a host; so only admins and commanders set addresses and credentials.
A partner proposes a change (``assets.url_proposals``) and police approve it. The same rule
holds for a form, a PATCH and a bulk import, because all of them call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from safetyzone.core.errors import InvalidInput, PermissionDenied, Problem
from safetyzone.core.outbound import camera_url_problem
from safetyzone.core.security import Role, Scope

URL_FIELDS = ("stream_url", "stream_username", "stream_password")
URL_SETTERS = frozenset({Role.ADMIN, Role.COMMANDER})
PROPOSALS_ROUTE = "POST /api/v1/cameras/{camera_id}/url-proposals"


def may_set_camera_urls(scope: Scope) -> bool:
    """Admins and commanders; they also see why a camera's picture could not be fetched."""
    return scope.role in URL_SETTERS


def require_url_setter(scope: Scope, fields: Iterable[str]) -> None:
    """Refuse a change that touches a camera's address or credentials unless police may."""
    touched = [f for f in URL_FIELDS if f in set(fields)]
    if not touched or may_set_camera_urls(scope):
        return
    problems = [Problem("set by admins and commanders only", f) for f in touched]
    if scope.role is Role.PARTNER:
        raise PermissionDenied(
            f"partners cannot set a camera's address or credentials ({', '.join(touched)}): "
            f"propose the change with {PROPOSALS_ROUTE}; an admin or commander of the "
            "station approves it", problems)
    raise PermissionDenied("only admins and commanders set a camera's address or credentials",
                           problems)


def check_camera_url(url: str | None, field: str = "stream_url") -> None:
    """Refuse an address that can never be a camera's (checked again at every fetch)."""
    if url is None:
        return
    problem = camera_url_problem(url)
    if problem is not None:
        raise InvalidInput(f"{field}: {problem}", [Problem(problem, field)])
