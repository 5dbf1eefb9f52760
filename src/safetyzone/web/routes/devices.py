"""Device credentials: issue one to a registered asset or patrol unit, rotate, revoke."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from safetyzone.adapters.sia_dc09.config import AccountConfig
from safetyzone.assets import service as assets
from safetyzone.core.errors import InvalidInput, PermissionDenied, Problem
from safetyzone.core.security import Role
from safetyzone.core.text import Inbound
from safetyzone.intake import credentials
from safetyzone.intake.directory import normalize
from safetyzone.intake.models import DeviceCredential, Protocol, SubjectKind
from safetyzone.ops import units
from safetyzone.ops.health import get_device_health
from safetyzone.org import service as org
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, RuntimeDep, ScopeDep

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


class CredentialCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    subject_kind: SubjectKind
    subject_id: uuid.UUID | None = Field(None, description="The asset or unit; none for gateways.")
    label: str = Field(min_length=1, max_length=200)
    protocol: Protocol | None = Field(
        None, description="For devices that speak their own protocol instead of our JSON.")
    external_id: str | None = Field(
        None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
        description="The device's id in that protocol: SIA account, tracker id, camera serial.")
    protocol_key: SecretStr | None = Field(
        None, description="SIA DC-09 AES key: 32/48/64 hex digits or 16/24/32 characters.")


class CredentialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key_id: str
    station_id: uuid.UUID
    subject_kind: SubjectKind
    subject_id: uuid.UUID | None
    label: str
    created_at: datetime
    rotated_at: datetime | None
    previous_valid_until: datetime | None
    revoked_at: datetime | None
    protocol: Protocol | None = None
    external_id: str | None = None


class IssuedRead(CredentialRead):
    token: str = Field(description="Shown once: type it into the device now.")


def _issued(issued: credentials.IssuedCredential) -> IssuedRead:
    return IssuedRead(**CredentialRead.model_validate(issued.credential).model_dump(),
                      token=issued.token)


@router.post("", response_model=IssuedRead, status_code=status.HTTP_201_CREATED)
def create_device_credential(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, body: CredentialCreate
) -> IssuedRead:
    """Issue a credential for a registered asset or unit of a station in your scope."""
    with ctx.db.write() as session:
        station = org.get_station(session, scope=scope, code=body.station_code)
        if body.subject_kind is SubjectKind.ASSET:
            asset = assets.get_asset(session, scope=scope, asset_id=_required(body.subject_id))
            _same_station(asset.station_id, station.id)
        elif body.subject_kind is SubjectKind.UNIT:
            unit = units.get_unit(session, scope=scope, unit_id=_required(body.subject_id))
            _same_station(unit.station_id, station.id)
        issued = credentials.issue(
            session, scope=scope, clock=ctx.clock, hasher=runtime.hasher, station_id=station.id,
            subject_kind=body.subject_kind, subject_id=body.subject_id, label=body.label,
            protocol=_protocol_identity(ctx, body))
        out = _issued(issued)
    runtime.directory.forget()
    return out


def _protocol_identity(ctx: AppContext, body: CredentialCreate
                       ) -> credentials.ProtocolIdentity | None:
    if body.protocol is None:
        if body.external_id or body.protocol_key:
            raise InvalidInput("external_id and protocol_key need a protocol",
                               [Problem("protocol missing", "protocol")])
        return None
    if not body.external_id:
        raise InvalidInput(f"a {body.protocol.value} device needs its external_id",
                           [Problem("required", "external_id")])
    key = body.protocol_key.get_secret_value() if body.protocol_key else None
    if body.protocol is Protocol.MQTT and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}",
                                                           body.external_id):
        raise InvalidInput("an MQTT device id is one topic level: A-Z a-z 0-9 _ . - only",
                           [Problem("not usable in a topic", "external_id")])
    if body.protocol is Protocol.SIA_DC09:
        if not re.fullmatch(r"[0-9A-Fa-f]{3,16}", body.external_id):
            raise InvalidInput("a SIA account is 3 to 16 hex digits",
                               [Problem("not a SIA account", "external_id")])
        if key is not None:
            try:
                AccountConfig.from_text(key)
            except ValueError as err:
                raise InvalidInput(f"SIA key not usable: {err}",
                                   [Problem(str(err), "protocol_key")]) from err
    elif key is not None:
        raise InvalidInput(f"{body.protocol.value} devices have no protocol key",
                           [Problem("not used", "protocol_key")])
    return credentials.ProtocolIdentity(
        body.protocol, normalize(body.protocol, body.external_id),
        ctx.secrets.seal(key) if key else None)


def _required(subject_id: uuid.UUID | None) -> uuid.UUID:
    if subject_id is None:
        raise InvalidInput("subject_id is required for assets and units",
                           [Problem("required", "subject_id")])
    return subject_id


def _same_station(a: uuid.UUID, b: uuid.UUID) -> None:
    if a != b:
        raise InvalidInput("the device belongs to another station",
                           [Problem("station mismatch", "station_code")])


@router.get("", response_model=list[CredentialRead])
def list_device_credentials(ctx: ContextDep, scope: ScopeDep) -> list[CredentialRead]:
    with ctx.db.read() as session:
        return [CredentialRead.model_validate(c)
                for c in credentials.list_for_station(session, scope=scope)]


@router.post("/{credential_id}/rotate", response_model=IssuedRead)
def rotate_device_credential(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, credential_id: uuid.UUID
) -> IssuedRead:
    """A new secret now; the old one keeps working for 24 hours while the device is updated."""
    with ctx.db.write() as session:
        issued = credentials.rotate(session, scope=scope, clock=ctx.clock,
                                    hasher=runtime.hasher, credential_id=credential_id)
        key_id = issued.credential.key_id
    runtime.devices.forget(key_id)
    runtime.directory.forget()
    return _issued(issued)


@router.post("/{credential_id}/revoke", response_model=CredentialRead)
def revoke_device_credential(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, credential_id: uuid.UUID
) -> CredentialRead:
    with ctx.db.write() as session:
        credential: DeviceCredential = credentials.revoke(
            session, scope=scope, clock=ctx.clock, credential_id=credential_id)
        out = CredentialRead.model_validate(credential)
    runtime.devices.forget(out.key_id)
    runtime.directory.forget()
    return out


class FrameRead(BaseModel):
    at: datetime
    direction: Literal["rx", "tx"] = Field(description="rx: from the device; tx: our reply.")
    peer: str
    hex: str
    size: int = Field(description="Bytes on the wire; more than hex shows when truncated.")
    truncated: bool


class DeviceHealthRead(BaseModel):
    credential_id: uuid.UUID
    label: str
    protocol: Protocol | None
    external_id: str | None
    last_seen_at: datetime | None = Field(description="Last event stored; null: never heard.")
    silent_since: datetime | None
    frames: list[FrameRead] = Field(
        description="Raw frames of the last messages, oldest first; kept in memory by this "
        "server process only (a restart forgets them).")
    frames_suppressed: int = Field(description="Frames not kept because the device sent "
                                   "faster than the recording rate.")


@router.get("/{credential_id}/health", response_model=DeviceHealthRead)
def read_device_health(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, credential_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=100, description="Frames to show.")] = 20,
) -> DeviceHealthRead:
    """Last seen and the raw frames of the device's last messages (admins, commanders)."""
    if scope.role not in {Role.ADMIN, Role.COMMANDER}:
        raise PermissionDenied("only admins and commanders see device frames")
    with ctx.db.read() as session:
        credential = credentials.get(session, scope=scope, credential_id=credential_id)
        health = get_device_health(session, scope=scope, device_id=credential.id)
        out = DeviceHealthRead(
            credential_id=credential.id, label=credential.label,
            protocol=credential.protocol, external_id=credential.external_id,
            last_seen_at=health.last_seen_at if health else None,
            silent_since=health.silent_since if health else None,
            frames=[], frames_suppressed=0)
    if out.protocol is not None and out.external_id:
        frames, out.frames_suppressed = runtime.frames.recent(out.protocol, out.external_id,
                                                              limit)
        out.frames = [FrameRead(at=f.at, direction=f.direction, peer=f.peer, hex=f.data.hex(),
                                size=f.size, truncated=f.truncated) for f in frames]
    return out
