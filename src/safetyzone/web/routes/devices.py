"""Device credentials: issue, list, rotate, revoke, and a device's health (the rules are in
``intake.registry`` and ``intake.credentials``; this only translates HTTP)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from safetyzone.adapters.sia_dc09.config import AccountConfig
from safetyzone.intake import credentials, registry
from safetyzone.intake.models import DeviceCredential, Protocol
from safetyzone.intake.schemas import CredentialCreate, CredentialRead, IssuedRead
from safetyzone.ops import devices
from safetyzone.ops.health import get_device_health
from safetyzone.web.deps import ContextDep, RuntimeDep, ScopeDep

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


# Each protocol's own key check; the registry may not import adapters, so it is told here.
KEY_CHECKS: dict[Protocol, registry.KeyCheck] = {Protocol.SIA_DC09: AccountConfig.from_text}


def _issued(issued: credentials.IssuedCredential) -> IssuedRead:
    return IssuedRead(**CredentialRead.model_validate(issued.credential).model_dump(),
                      token=issued.token)


@router.post("", response_model=IssuedRead, status_code=status.HTTP_201_CREATED)
def create_device_credential(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, body: CredentialCreate
) -> IssuedRead:
    """Issue a credential for a registered asset, unit or gateway (admins, commanders)."""
    with ctx.db.write() as session:
        out = _issued(devices.register_device(
            session, scope=scope, clock=ctx.clock, hasher=runtime.hasher, secrets=ctx.secrets,
            data=body, key_checks=KEY_CHECKS))
    runtime.directory.forget()
    return out


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


class DeviceProblemRead(BaseModel):
    kind: str = Field(description="e.g. clock_wrong (panel clock wrong), no_fix, too_old, "
                      "ahead_of_server, outside_thailand, refused.")
    detail: str = Field(description="What the last occurrence was, for the technician.")
    first_seen: datetime
    last_seen: datetime
    count: int


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
    problems: list[DeviceProblemRead] = Field(
        default_factory=list,
        description="Maintenance items: input that was answered but not (fully) used, most "
        "recent first (panel clock wrong, unusable fixes); in memory, like the frames.")


@router.get("/{credential_id}/health", response_model=DeviceHealthRead)
def read_device_health(
    ctx: ContextDep, runtime: RuntimeDep, scope: ScopeDep, credential_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=100, description="Frames to show.")] = 20,
) -> DeviceHealthRead:
    """Last seen, maintenance items and the raw frames of the last messages (admins, commanders).
    """
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
        out.problems = [DeviceProblemRead(kind=p.kind, detail=p.detail, first_seen=p.first_seen,
                                          last_seen=p.last_seen, count=p.count)
                        for p in runtime.frames.problems.current(out.protocol, out.external_id)]
    return out
