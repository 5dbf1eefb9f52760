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
    # Volunteer police (ตำรวจจิตอาสา) at a temporary service post: takes citizens' reports
    # and consultation requests at the posts whose roster names them, during the posts'
    # hours, into the same flows as the public app. No incidents, no personal data beyond
    # what they take themselves.
    VOLUNTEER = "volunteer"


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
    # The officer's own duty from the phone: a shift with a unit, its status, positions and
    # SOS, red box check-ins, notes and photos on the incident its unit is assigned to,
    # checkpoint results. Always the caller's own shift and unit (the service checks).
    PATROL_DUTY = "patrol.duty"
    # Patrol plans, risk spots and checkpoint sessions of a station.
    PATROL_PLAN = "patrol.plan"
    # Red box secrets and their printed QR sheets: a leaked secret lets anyone fake presence.
    REDBOX_MANAGE = "redbox.manage"
    # Lost-document reports (แจ้งเอกสารหาย) of a station: read them with the declarant's
    # identity, issue, revoke, see repeats flagged (each read and act audited).
    LOSTDOC_REVIEW = "lostdoc.review"
    # A station's lost-document settings: issue automatically or after review, repeat window.
    LOSTDOC_SETTINGS = "lostdoc.settings"
    # Home watch (ฝากบ้าน 4.0): read the requests of a station (address, contacts: personal
    # data), approve or decline them. Visits are logged under PATROL_DUTY.
    HOMEWATCH_MANAGE = "homewatch.manage"
    # Legal consultation (ตำรวจพร้อมปรึกษาข้อกฎหมาย): consultants, their slots, and the
    # requests booked into them (the citizen's name and phone).
    CONSULT_MANAGE = "consult.manage"
    # A consultation's notes: the role half; the service also requires the caller to be an
    # active consultant of the request's station, and audits every read and write.
    CONSULT_NOTES = "consult.notes"
    # Volunteer service posts: create them, set their hours and their roster.
    POST_MANAGE = "post.manage"
    # Working at a post: take reports and consultation requests there (the service checks
    # that the caller is on the post's roster and that the post is open now).
    POST_DUTY = "post.duty"
    # A partner's answer to the work orders addressed to it (accept, refuse with a reason,
    # in progress, done): only partner accounts, only their own partner's orders (the service
    # checks). The police side of work orders (create, verify, reopen, cancel) is
    # INCIDENT_ACT; reading them is OPS_READ.
    WORKORDER_REPLY = "workorder.reply"
    # The program's measurement data of a station: edit its facts (area, population, camera
    # counts) and import or delete 191-call and crime-case records. Admins and commanders.
    MEASURE_MANAGE = "measure.manage"
    # The People Poll: create a zone's survey wave, open and close it, print its QR sheet.
    # Reading results is OPS_READ (aggregates only; no answer is ever tied to a person).
    POLL_MANAGE = "poll.manage"
    # Footage requests to camera owners (video.footage): ask a partner for the recordings of
    # its cameras for a case, follow the answer, download what it uploaded (each download
    # audited). Duty operators, investigators, commanders and admins; not viewers or patrol.
    FOOTAGE_REQUEST = "footage.request"
    # A partner's answer to the footage requests addressed to it: upload files, grant access
    # for the window, or decline with a reason. Only partner accounts, only their own
    # partner's requests (the service checks).
    FOOTAGE_REPLY = "footage.reply"
    # Recording: a camera's policy (none, on alarm, continuous) and a station's storage
    # quota. Admins and commanders: recording costs disk and decides what footage exists.
    RECORDING_MANAGE = "recording.manage"
    # Evidence clips: make them from an incident's recordings, view, download and export
    # them (each act in the clip's chain of custody). Investigators, operators, commanders
    # (and admins); never partners, volunteers or read-only viewers.
    EVIDENCE_HANDLE = "evidence.handle"


# Nobody but an assigned investigator reads a tipster's identity, not even an admin; nobody
# but a partner answers a work order for the partner (the police record their own acts).
_ALL = frozenset(Permission) - {Permission.TIP_IDENTITY_READ, Permission.WORKORDER_REPLY,
                                Permission.FOOTAGE_REPLY}
_READ = frozenset({Permission.ORG_READ, Permission.ASSET_READ, Permission.OPS_READ,
                   Permission.CITIZEN_READ})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.COMMANDER: _ALL - {Permission.ORG_WRITE, Permission.USER_MANAGE},
    Role.OPERATOR: _READ | {Permission.STREAM_SECRET_READ, Permission.INCIDENT_ACT,
                            Permission.UNIT_STATUS, Permission.COMMAND_SEND,
                            Permission.HOTLIST_MANAGE, Permission.PLATE_SEARCH,
                            Permission.CITIZEN_ACT, Permission.PATROL_PLAN,
                            Permission.LOSTDOC_REVIEW,
                            Permission.HOMEWATCH_MANAGE,
                            Permission.CONSULT_MANAGE, Permission.CONSULT_NOTES,
                            Permission.FOOTAGE_REQUEST,
                            Permission.EVIDENCE_HANDLE},
    # A patrol officer reads the picture and reports its unit's status (which moves the
    # incident it is assigned to); the console acts on incidents.
    Role.PATROL_OFFICER: _READ | {Permission.UNIT_STATUS, Permission.PATROL_DUTY,
                                  Permission.CONSULT_NOTES, Permission.POST_DUTY},
    # A partner (camera owner) is an outsider: it reads the org tree to place its assets and
    # keeps its own records current (the services narrow ASSET_* to what it owns); it
    # answers the work orders addressed to it, and reads nothing else of the station.
    Role.PARTNER: frozenset({Permission.ORG_READ, Permission.ASSET_READ, Permission.ASSET_WRITE,
                             Permission.WORKORDER_REPLY, Permission.FOOTAGE_REPLY}),
    Role.VIEWER: _READ | {Permission.CONSULT_NOTES},
    Role.INVESTIGATOR: _READ | {Permission.TIP_IDENTITY_READ, Permission.CONSULT_NOTES,
                                Permission.FOOTAGE_REQUEST,
                                Permission.EVIDENCE_HANDLE},
    # Volunteers read nothing of the station's picture: only what their post duty needs.
    Role.VOLUNTEER: frozenset({Permission.POST_DUTY}),
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
