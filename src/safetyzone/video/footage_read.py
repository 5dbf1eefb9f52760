"""How a footage request reads: to the police in full, to its owning partner narrowed (its
own cameras and files, the police's words for it; never the incident, the case number or a
police name)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.org import service as org
from safetyzone.video.footage_models import (
    FootageCamera,
    FootageEvent,
    FootageFile,
    FootageRequest,
)
from safetyzone.video.footage_schemas import (
    AreaIn,
    FootageCameraRead,
    FootageEventRead,
    FootageFileRead,
    FootageRequestRead,
    PartnerFootageRead,
)


def _history(session: Session, request: FootageRequest, *, police_names: bool
             ) -> list[FootageEventRead]:
    rows = session.scalars(select(FootageEvent).where(FootageEvent.request_id == request.id)
                           .order_by(FootageEvent.at, FootageEvent.id))
    return [FootageEventRead(at=r.at, action=r.action, status=r.status, side=r.side,
                             username=r.username if police_names or r.side != "police"
                             else None,
                             note=r.note) for r in rows]


def _cameras(session: Session, request: FootageRequest) -> list[FootageCameraRead]:
    rows = session.scalars(select(FootageCamera).where(FootageCamera.request_id == request.id)
                           .order_by(FootageCamera.camera_code))
    return [FootageCameraRead(camera_id=r.camera_id, code=r.camera_code,
                              granted_at=r.granted_at) for r in rows]


def _files(session: Session, request: FootageRequest) -> list[FootageFileRead]:
    rows = session.scalars(select(FootageFile).where(FootageFile.request_id == request.id)
                           .order_by(FootageFile.uploaded_at, FootageFile.name))
    return [FootageFileRead(id=r.id, name=r.name, kind=r.kind, content_type=r.content_type,
                            size=r.size, sha256=r.sha256, uploaded_by=r.uploaded_by,
                            uploaded_at=r.uploaded_at) for r in rows]


def police_model(session: Session, request: FootageRequest) -> FootageRequestRead:
    partner = org.partner_by_id(session, request.partner_id)
    station = org.get_unit(session, unit_id=request.station_id)
    area = (AreaIn(lat=request.area_lat, lon=request.area_lon, radius_m=request.area_radius_m)
            if request.area_lat is not None and request.area_lon is not None
            and request.area_radius_m is not None else None)
    return FootageRequestRead(
        id=request.id, code=request.code, batch_id=request.batch_id,
        station_id=request.station_id, station_code=station.code, partner_code=partner.code,
        partner_name_th=partner.name_th, partner_name_en=partner.name_en,
        incident_id=request.incident_id, case_number=request.case_number,
        reason=request.reason, window_start=request.window_start,
        window_end=request.window_end, area=area, due_at=request.due_at,
        status=request.status, decline_reason=request.decline_reason,
        created_by=request.created_by, created_at=request.created_at,
        updated_at=request.updated_at, seen_at=request.seen_at, closed_at=request.closed_at,
        version=request.version, cameras=_cameras(session, request),
        files=_files(session, request), history=_history(session, request, police_names=True))


def partner_model(session: Session, request: FootageRequest) -> PartnerFootageRead:
    station = org.get_unit(session, unit_id=request.station_id)
    return PartnerFootageRead(
        id=request.id, code=request.code, station_code=station.code,
        station_name_th=station.name_th, station_name_en=station.name_en,
        reason=request.reason, window_start=request.window_start,
        window_end=request.window_end, due_at=request.due_at, status=request.status,
        decline_reason=request.decline_reason, created_at=request.created_at,
        version=request.version, cameras=_cameras(session, request),
        files=_files(session, request),
        history=_history(session, request, police_names=False))
