"""Coverage of one station: gather its cameras, places and private areas, and compute.

Reading needs OPS_READ (the command center's picture: which places no camera sees is not
for partners) and the station in the caller's scope; every list below is read through the
owning domain's service, with the caller's scope. Private areas are drawn or imported by
admins and commanders (ZONE_WRITE: the station's geography), each change audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, AssetStatus
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.geo import parse_polygon, polygon_geojson, to_metric
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit
from safetyzone.patrol import riskspots
from safetyzone.video import coverage
from safetyzone.video.coverage_models import CameraPtz, PrivateArea, PrivateKind
from safetyzone.video.coverage_schemas import (
    CameraCoverage,
    CoverageReport,
    KindCount,
    PlaceCoverage,
    PlaceKind,
    PrivateAreaCreate,
    PrivateAreaImport,
    PrivateAreaRead,
)

ALL = 100_000
# A "private area" the size of a district would flag every camera: refuse it.
MAX_PRIVATE_AREA_M2 = 200_000.0


def choose_station(session: Session, *, scope: Scope, code: str | None) -> OrgUnit:
    """The station asked for; a caller of one station may leave it out, others must choose."""
    if code:
        return org.get_station(session, scope=scope, code=code)
    if scope.station_ids is not None and len(scope.station_ids) == 1:
        return org.get_unit(session, unit_id=next(iter(scope.station_ids)))
    raise InvalidInput("choose a station: your scope holds several",
                       [Problem("required for region and HQ users", "station_code")])


def _places(session: Session, scope: Scope, station_id: uuid.UUID
            ) -> list[tuple[PlaceKind, Any]]:
    out: list[tuple[PlaceKind, Any]] = []
    for kind, asset_kind in ((PlaceKind.SOS_POINT, AssetKind.SOS_POINT),
                             (PlaceKind.RED_BOX, AssetKind.RED_BOX)):
        rows, _ = assets.list_assets(session, scope=scope, kind=asset_kind,
                                     station_id=station_id, limit=ALL)
        out += [(kind, a) for a in rows if a.status is not AssetStatus.RETIRED]
    out += [(PlaceKind.RISK_SPOT, s) for s in riskspots.list_spots(
        session, scope=scope, station_id=station_id, active=True)]
    station_zones, _ = zones.list_zones(session, scope=scope, station_id=station_id, limit=ALL)
    out += [(PlaceKind.LANDMARK, mark) for zone in station_zones for mark in zone.landmarks]
    return out


def private_areas(session: Session, *, scope: Scope, station_id: uuid.UUID
                  ) -> list[PrivateArea]:
    scope.require(Permission.OPS_READ)
    return list(session.scalars(select(PrivateArea).where(
        scope.station_filter(PrivateArea.station_id), PrivateArea.station_id == station_id)
        .order_by(PrivateArea.name)))


def report(session: Session, *, scope: Scope, clock: Clock, station_code: str | None,
           private_limit: float = coverage.PRIVATE_LIMIT) -> CoverageReport:
    """Which SOS points, risk spots, landmarks and red boxes no camera sees, and which
    cameras look into private space or face an unknown direction."""
    scope.require(Permission.OPS_READ)
    station = choose_station(session, scope=scope, code=station_code)
    cameras, _ = assets.list_cameras(session, scope=scope, station_id=station.id, limit=ALL)
    cameras = [c for c in cameras if c.status is not AssetStatus.RETIRED]
    places = _places(session, scope, station.id)
    areas = private_areas(session, scope=scope, station_id=station.id)
    ptz = set(session.scalars(select(CameraPtz.camera_id).where(
        CameraPtz.station_id == station.id)))
    result = coverage.compute(
        [coverage.CameraIn(key=str(c.id), lat=c.lat, lon=c.lon, heading_deg=c.heading_deg,
                           fov_deg=c.fov_deg, range_m=c.range_m,
                           owner_class=c.owner_class.value, purposes=tuple(c.purposes),
                           plate_reading=c.plate_reading,
                           active=c.status is AssetStatus.ACTIVE) for c in cameras],
        [coverage.PlaceIn(key=f"{kind.value}:{p.id}", lat=p.lat, lon=p.lon)
         for kind, p in places],
        [a.boundary for a in areas], private_limit=private_limit)
    code_of = {str(c.id): c.code for c in cameras}
    now = clock.now()
    counts = {kind: KindCount() for kind in PlaceKind}
    place_rows = []
    for kind, p in places:
        cover = result.places[f"{kind.value}:{p.id}"]
        count = counts[kind]
        count.total += 1
        count.covered += cover.covered
        count.uncovered += not cover.covered
        place_rows.append(PlaceCoverage(
            kind=kind, id=p.id, code=getattr(p, "code", None), name_th=p.name_th,
            name_en=p.name_en or "", lat=p.lat, lon=p.lon, covered=cover.covered,
            seen_by=[code_of[k] for k in cover.seen_by],
            perhaps_by=[code_of[k] for k in cover.perhaps_by]))
    place_rows.sort(key=lambda r: (r.covered, r.kind.value, r.code or r.name_th))
    camera_rows = []
    for c in cameras:
        view = result.cameras[str(c.id)]
        camera_rows.append(CameraCoverage(
            id=c.id, code=c.code, name_th=c.name_th, owner_class=c.owner_class,
            purposes=sorted(c.purposes), sharing_level=assets.effective_sharing(c, now),
            active=c.status is AssetStatus.ACTIVE, lat=c.lat, lon=c.lon,
            heading_deg=c.heading_deg, fov_deg=c.fov_deg, range_m=view.range_m,
            range_assumed=view.range_assumed, direction_known=view.direction_known,
            view_note=c.view_note, synthetic=c.synthetic, cone=view.cone,
            private_share=view.private_share, at_private_space=view.at_private_space,
            ptz=c.id in ptz))
    return CoverageReport(
        station_code=station.code, computed_at=now, utm_epsg=result.epsg,
        private_limit=private_limit, counts=counts, cameras_total=len(camera_rows),
        cameras_direction_unknown=sum(not c.direction_known for c in camera_rows),
        cameras_at_private_space=sum(c.at_private_space for c in camera_rows),
        places=place_rows, cameras=camera_rows,
        private_areas=[PrivateAreaRead.model_validate(a) for a in areas])


def _boundary(data: Any, field: str) -> dict[str, Any]:
    polygon = parse_polygon(data, field)
    if float(to_metric(polygon).area) > MAX_PRIVATE_AREA_M2:
        raise InvalidInput(f"{field}: a private area is at most {MAX_PRIVATE_AREA_M2:,.0f} m²",
                           [Problem("too large for one private area", field)])
    return polygon_geojson(polygon)


def _add(session: Session, scope: Scope, clock: Clock, station_id: uuid.UUID, *, name: str,
         kind: PrivateKind, boundary: dict[str, Any], note: str | None,
         synthetic: bool = False) -> PrivateArea:
    area = PrivateArea(station_id=station_id, name=name, kind=kind, boundary=boundary,
                       synthetic=synthetic, note=note, created_by=scope.username,
                       created_at=clock.now())
    session.add(area)
    session.flush()
    audit.record(session, actor=scope, at=area.created_at, action="private_area.create",
                 entity="private_area", entity_id=area.id, station_id=station_id,
                 detail={"kind": kind.value})
    return area


def create_area(session: Session, *, scope: Scope, clock: Clock, data: PrivateAreaCreate,
                synthetic: bool = False) -> PrivateArea:
    scope.require(Permission.ZONE_WRITE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    return _add(session, scope, clock, station.id, name=data.name, kind=data.kind,
                boundary=_boundary(data.boundary, "boundary"), note=data.note,
                synthetic=synthetic)


def import_areas(session: Session, *, scope: Scope, clock: Clock, data: PrivateAreaImport
                 ) -> list[PrivateArea]:
    """A GeoJSON FeatureCollection: every feature checked first, then all stored, or none."""
    scope.require(Permission.ZONE_WRITE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    checked: list[tuple[str, PrivateKind, dict[str, Any]]] = []
    problems: list[Problem] = []
    for i, feature in enumerate(data.features):
        field = f"features[{i}]"
        props = feature.get("properties") or {}
        name = props.get("name") if isinstance(props, dict) else None
        kind = props.get("kind", "other") if isinstance(props, dict) else None
        if not isinstance(name, str) or not 0 < len(name.strip()) <= 200:
            problems.append(Problem("properties.name: 1 to 200 characters", field))
            continue
        if kind not in {k.value for k in PrivateKind}:
            problems.append(Problem(f"properties.kind: one of {[k.value for k in PrivateKind]}",
                                    field))
            continue
        try:
            checked.append((name.strip(), PrivateKind(kind),
                            _boundary(feature.get("geometry"), f"{field}.geometry")))
        except InvalidInput as err:
            problems += err.problems or [Problem(err.detail, field)]
    if problems:
        raise InvalidInput(f"{len(problems)} features are not valid; nothing was imported",
                           problems)
    return [_add(session, scope, clock, station.id, name=name, kind=kind, boundary=boundary,
                 note=None) for name, kind, boundary in checked]


def delete_area(session: Session, *, scope: Scope, clock: Clock, area_id: uuid.UUID) -> None:
    scope.require(Permission.ZONE_WRITE)
    area = session.get(PrivateArea, area_id)
    if area is None or not scope.sees_station(area.station_id):
        raise NotFound("no such private area in your scope")
    audit.record(session, actor=scope, at=clock.now(), action="private_area.delete",
                 entity="private_area", entity_id=area.id, station_id=area.station_id,
                 detail={"name": area.name})
    session.delete(area)
