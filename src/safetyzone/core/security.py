"""Roles, permissions and the caller's scope: the values every domain filters by.

The scope is computed once per request (``safetyzone.web.deps``) from the user's org units
and handed to services, which filter every query through :meth:`Scope.station_filter`.
Keeping the rule here, in one small class, is what lets a test prove that no query forgets it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, true

from safetyzone.core.errors import PermissionDenied


class Role(enum.StrEnum):
    ADMIN = "admin"
    COMMANDER = "commander"
    OPERATOR = "operator"
    PATROL_OFFICER = "patrol_officer"
    PARTNER = "partner"
    VIEWER = "viewer"
    # Follows cases and the tips (ตาสับปะรด) assigned to it; the only role that may read a
    # named tipster's identity, and only on tips assigned to that user.
    INVESTIGATOR = "investigator"


class Permission(enum.StrEnum):
    """What a role may do. Services check these; docs/security/access.md is the table of
    who may call which route, and tests/web/test_access_matrix.py holds the code to it."""

    ORG_READ = "org.read"
    ORG_WRITE = "org.write"
    ZONE_WRITE = "zone.write"
    ASSET_READ = "asset.read"
    ASSET_WRITE = "asset.write"
    STREAM_SECRET_READ = "asset.stream_secret.read"  # noqa: S105 - a permission name
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    # The command center's picture: incidents, units, panel, rules, response times,
    # hotlists, loudspeaker messages and the live feed. Partners never hold it.
    OPS_READ = "ops.read"
    INCIDENT_ACT = "incident.act"
    UNIT_STATUS = "unit.status"
    COMMAND_SEND = "command.send"
    HOTLIST_MANAGE = "hotlist.manage"
    PLATE_SEARCH = "plate.search"
    # Device credentials (list, issue, rotate, revoke, frames): a dead SOS pole or a forged
    # alarm source is one call away, so only admins and commanders hold it.
    DEVICE_MANAGE = "device.manage"
    # Citizens' items (emergencies, reports, tips from the public app, LINE, Open311): read
    # them, and answer, merge, turn into incidents, close. Not partners: citizens' reports
    # hold personal data.
    CITIZEN_READ = "citizen.read"
    CITIZEN_ACT = "citizen.act"
    # A tipster's identity: only an investigator, only on a tip assigned to that user, each
    # read audited (the service checks the assignment; this permission is the role half).
    TIP_IDENTITY_READ = "tip.identity.read"


# Nobody but an assigned investigator reads a tipster's identity, not even an admin.
_ALL = frozenset(Permission) - {Permission.TIP_IDENTITY_READ}
_READ = frozenset({Permission.ORG_READ, Permission.ASSET_READ, Permission.OPS_READ,
                   Permission.CITIZEN_READ})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.COMMANDER: _ALL - {Permission.ORG_WRITE, Permission.USER_MANAGE},
    Role.OPERATOR: _READ | {Permission.STREAM_SECRET_READ, Permission.INCIDENT_ACT,
                            Permission.UNIT_STATUS, Permission.COMMAND_SEND,
                            Permission.HOTLIST_MANAGE, Permission.PLATE_SEARCH,
                            Permission.CITIZEN_ACT},
    # A patrol officer reads the picture and reports its unit's status (which moves the
    # incident it is assigned to); the console acts on incidents.
    Role.PATROL_OFFICER: _READ | {Permission.UNIT_STATUS},
    # A partner (camera owner) is an outsider: it reads the org tree to place its assets and
    # keeps its own records current (the services narrow ASSET_* to what it owns).
    Role.PARTNER: frozenset({Permission.ORG_READ, Permission.ASSET_READ, Permission.ASSET_WRITE}),
    Role.VIEWER: _READ,
    Role.INVESTIGATOR: _READ | {Permission.TIP_IDENTITY_READ},
}


@dataclass(frozen=True)
class Scope:
    """Who is asking and which stations (and, for partners, which owner) they may see.

    ``station_ids`` is ``None`` for national scope (every station).
    """

    user_id: uuid.UUID
    username: str
    role: Role
    station_ids: frozenset[uuid.UUID] | None
    org_unit_ids: frozenset[uuid.UUID]
    partner_id: uuid.UUID | None = None

    @property
    def is_national(self) -> bool:
        return self.station_ids is None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"role '{self.role.value}' may not do this (needs {permission.value})"
            )

    def sees_station(self, station_id: uuid.UUID) -> bool:
        return self.station_ids is None or station_id in self.station_ids

    def station_filter(self, column: Any) -> Any:
        """A SQL condition restricting ``column`` (a station id) to this scope."""
        if self.station_ids is None:
            return true()
        return column.in_(self.station_ids)

    def owner_filter(self, column: Any) -> Any | None:
        """For partners, a SQL condition restricting ``column`` (owner id) to their own."""
        if self.role is Role.PARTNER:
            # A partner without a partner record owns nothing (``== None`` would be IS NULL:
            # every police-owned row).
            return false() if self.partner_id is None else column == self.partner_id
        return None


def system_scope(name: str = "system") -> Scope:
    """National admin scope for the CLI and loaders; audit rows name ``name`` as the actor."""
    return Scope(
        user_id=uuid.UUID(int=0), username=name, role=Role.ADMIN, station_ids=None,
        org_unit_ids=frozenset(),
    )
