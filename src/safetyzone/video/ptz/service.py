"""Who may move which camera, and what a move leaves behind (the audit row, the heading).

* Settings (the ONVIF address: where the server connects) are set by admins and
  commanders only, like a camera's stream address (``assets.url_rules``).
* Moving (continuous move, stop, go to or set a preset) needs COMMAND_SEND: duty operators,
  commanders and admins, never partners; the camera in the caller's stations; and the
  owner's sharing terms must allow a live view now (``video.service.check_sharing``):
  an owner who shares no live view has not agreed to the police steering the camera.
* Every move is an audit row: who, which camera, when, what, the heading before and after.
* A move changes what the camera sees, so the camera's heading follows: a preset's stored
  heading, else the device's pan through the calibration (``pan_zero_heading_deg``), else
  unknown (None) — coverage then lists the camera as "direction unknown" rather than keep
  counting a view it may no longer have.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets import url_rules
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import NotFound, PermissionDenied
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.video import service as video
from safetyzone.video.coverage_models import CameraPtz, CameraPtzPreset
from safetyzone.video.ptz.client import OnvifAddress
from safetyzone.video.ptz.schemas import PresetRead, PtzConfigIn, PtzRead


@dataclass(frozen=True)
class PtzTarget:
    """A camera the caller may move now, with its opened ONVIF address (server side only)."""

    camera_id: uuid.UUID
    station_id: uuid.UUID
    code: str
    address: OnvifAddress
    profile_token: str | None
    pan_zero_heading_deg: float | None
    pan_span_deg: float
    heading_before: float | None
    preset_headings: dict[str, float | None] = field(default_factory=dict)

    def heading_of_pan(self, pan: float | None) -> float | None:
        """The compass heading at a normalised pan, when the camera is calibrated."""
        if pan is None or self.pan_zero_heading_deg is None:
            return None
        return (self.pan_zero_heading_deg + pan * self.pan_span_deg / 2) % 360


def configure(session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
              camera_id: uuid.UUID, data: PtzConfigIn) -> CameraPtz:
    scope.require(Permission.ASSET_WRITE)
    if not url_rules.may_set_camera_urls(scope):
        raise PermissionDenied("only admins and commanders set where the server connects")
    url_rules.check_camera_url(data.onvif_url, "onvif_url")
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    row = session.get(CameraPtz, camera.id)
    if row is None:
        row = CameraPtz(camera_id=camera.id, station_id=camera.station_id)
        session.add(row)
    row.onvif_url_sealed = secrets.seal(data.onvif_url)
    row.profile_token = data.profile_token
    row.pan_zero_heading_deg = data.pan_zero_heading_deg
    row.pan_span_deg = data.pan_span_deg
    row.updated_by, row.updated_at = scope.username, clock.now()
    audit.record(session, actor=scope, at=row.updated_at, action="camera.ptz.configure",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 detail={"code": camera.code})
    return row


def remove(session: Session, *, scope: Scope, clock: Clock, camera_id: uuid.UUID) -> None:
    scope.require(Permission.ASSET_WRITE)
    if not url_rules.may_set_camera_urls(scope):
        raise PermissionDenied("only admins and commanders change a camera's PTZ settings")
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    row = session.get(CameraPtz, camera.id)
    if row is None:
        raise NotFound("this camera has no PTZ settings")
    audit.record(session, actor=scope, at=clock.now(), action="camera.ptz.remove",
                 entity="camera", entity_id=camera.id, station_id=camera.station_id,
                 detail={"code": camera.code})
    session.delete(row)


def _stored(session: Session, camera_id: uuid.UUID) -> dict[str, CameraPtzPreset]:
    return {p.token: p for p in session.scalars(
        select(CameraPtzPreset).where(CameraPtzPreset.camera_id == camera_id))}


def read(session: Session, *, scope: Scope, camera_id: uuid.UUID) -> PtzRead:
    """Whether the camera has PTZ, and the presets the station knows (no device call)."""
    scope.require(Permission.OPS_READ)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    row = session.get(CameraPtz, camera.id)
    if row is None:
        return PtzRead(camera_id=camera.id, configured=False)
    presets = [PresetRead(token=p.token, name=p.name, heading_deg=p.heading_deg,
                          on_device=True) for p in _stored(session, camera.id).values()]
    return PtzRead(camera_id=camera.id, configured=True, profile_token=row.profile_token,
                   pan_zero_heading_deg=row.pan_zero_heading_deg,
                   pan_span_deg=row.pan_span_deg,
                   presets=sorted(presets, key=lambda p: p.token))


def target(session: Session, *, scope: Scope, secrets: SecretBox, camera_id: uuid.UUID,
           now: datetime) -> PtzTarget:
    """The camera to move, if the caller may move it now; otherwise an error saying why."""
    scope.require(Permission.COMMAND_SEND)
    camera = assets.get_camera(session, scope=scope, camera_id=camera_id)
    row = session.get(CameraPtz, camera.id)
    if row is None:
        raise NotFound("this camera has no PTZ (pan, tilt, zoom) settings")
    video.check_sharing(session, scope=scope, camera=camera, now=now)
    address = OnvifAddress(
        url=secrets.open(row.onvif_url_sealed),
        username=(secrets.open(camera.stream_username_sealed)
                  if camera.stream_username_sealed else None),
        password=(secrets.open(camera.stream_password_sealed)
                  if camera.stream_password_sealed else None))
    return PtzTarget(camera_id=camera.id, station_id=camera.station_id, code=camera.code,
                     address=address, profile_token=row.profile_token,
                     pan_zero_heading_deg=row.pan_zero_heading_deg,
                     pan_span_deg=row.pan_span_deg, heading_before=camera.heading_deg,
                     preset_headings={t: p.heading_deg
                                      for t, p in _stored(session, camera.id).items()})


def presets_view(*, target: PtzTarget, device: list[tuple[str, str, float | None]]
                 ) -> list[PresetRead]:
    """The device's presets (token, name, pan) with the headings the station knows."""
    out = []
    for token, name, pan in device:
        heading = target.preset_headings.get(token)
        out.append(PresetRead(token=token, name=name, on_device=True,
                              heading_deg=heading if heading is not None
                              else target.heading_of_pan(pan)))
    return out


def record(session: Session, *, scope: Scope, clock: Clock, target: PtzTarget, action: str,
           detail: dict[str, object], heading: float | None, change_heading: bool,
           profile_token: str | None = None) -> None:
    """One audit row per move; the camera's heading follows when the move changed it."""
    now = clock.now()
    if change_heading:
        assets.record_heading(session, camera_id=target.camera_id, heading_deg=heading, at=now)
    if profile_token and target.profile_token is None:
        row = session.get(CameraPtz, target.camera_id)
        if row is not None:
            row.profile_token = profile_token  # found once; later calls skip GetProfiles
    audit.record(session, actor=scope, at=now, action=f"camera.ptz.{action}", entity="camera",
                 entity_id=target.camera_id, station_id=target.station_id,
                 detail={"code": target.code, **detail, "heading_before": target.heading_before,
                         "heading_after": heading if change_heading else target.heading_before})


def save_preset(session: Session, *, scope: Scope, clock: Clock, target: PtzTarget,
                token: str, name: str, heading: float | None) -> None:
    row = _stored(session, target.camera_id).get(token)
    if row is None:
        row = CameraPtzPreset(camera_id=target.camera_id, token=token)
        session.add(row)
    row.name, row.heading_deg = name, heading
    row.updated_by, row.updated_at = scope.username, clock.now()
