"""Zone selection: a station's candidate areas, its weights, and the ranking that scores the
candidates on the program's three criteria (Risk, Landmark, Economic) with every step shown.

Risk comes from the station's records and CCOC incidents (``records.unified_records``) that
fall inside a candidate, and from the Getis-Ord Gi* hot cells of those records (the hotspot
layer's statistic, ``measure.hotspots``) that cover it. Landmark and Economic come from the
places the registry holds (the landmarks of the station's zones, by kind) and from counts
typed in from a document, each with its source. The arithmetic is ``measure.zonescore``;
docs/measure/zone-selection.md explains it.

Candidates and weights are edited by admins and commanders (``measure.manage``, audited);
every role that reads the station's picture reads them and the ranking (``ops.read``).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely import Polygon
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.core.clock import BANGKOK, Clock
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, Problem
from safetyzone.core.geo import area_km2, parse_polygon, polygon_geojson
from safetyzone.core.security import Permission, Scope
from safetyzone.measure import hotspots as hs
from safetyzone.measure import zonescore
from safetyzone.measure.points import MAX_POINTS
from safetyzone.measure.records import unified_records
from safetyzone.measure.zoneselect_models import (
    ZoneCandidate,
    ZoneDecision,
    ZoneDecisionChoice,
    ZoneWeights,
)
from safetyzone.measure.zoneselect_schemas import (
    CandidateIn,
    CandidateOut,
    CandidatePatch,
    EnteredCount,
    HotspotRun,
    Ranking,
    WeightsIn,
    WeightsOut,
)
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit

MAX_VERTICES = 2000  # over all rings of one candidate
MAX_HOLES = 20
MIN_AREA_KM2 = 0.001  # 1,000 m²: smaller is a slip of the mouse
MAX_AREA_KM2 = 2000.0  # larger than any station's whole area
MAX_CANDIDATES = 30  # scored per station at once
MAX_WINDOW_DAYS = 1096
DEFAULT_WINDOW_DAYS = 365
DEFAULT_WEIGHTS = zonescore.Weights(risk=1.0, landmark=1.0, economic=1.0, hotspot_share=0.5)
# The hotspot layer's defaults (``hotspot_schemas.CellQuery``).
CELL_M = 250.0
ALPHA = 0.05


# --- the boundary ---------------------------------------------------------------------------

def _is_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def check_boundary(data: Any, field: str = "boundary") -> tuple[Polygon, dict[str, Any], float]:
    """A candidate's GeoJSON Polygon checked: its shape, closed rings, size limits, inside
    Thailand, not self-intersecting. Returns the polygon, its GeoJSON and its area in km²."""
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        why = ("one polygon per candidate: draw each part as its own candidate"
               if isinstance(data, dict) and data.get("type") == "MultiPolygon"
               else 'expected {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}')
        raise InvalidInput("the boundary must be a GeoJSON Polygon", [Problem(why, field)])
    rings = data.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise InvalidInput("the boundary has no rings",
                           [Problem("coordinates must be a list of rings", field)])
    if len(rings) > 1 + MAX_HOLES:
        raise InvalidInput(f"at most {MAX_HOLES} holes in a candidate",
                           [Problem(f"{len(rings) - 1} holes", field)])
    vertices = 0
    for r, ring in enumerate(rings):
        where = f"{field}.coordinates[{r}]"
        if not isinstance(ring, list) or len(ring) < 4:
            raise InvalidInput("a ring needs at least 4 positions (3 corners and the first "
                               "again)", [Problem("too few positions", where)])
        for p, position in enumerate(ring):
            if (not isinstance(position, list) or len(position) not in (2, 3)
                    or not all(_is_number(v) for v in position)):
                raise InvalidInput("every position is [longitude, latitude] in numbers",
                                   [Problem("not [lon, lat]", f"{where}[{p}]")])
        if ring[0][:2] != ring[-1][:2]:
            raise InvalidInput("a ring must be closed: its last position repeats its first",
                               [Problem("ring not closed", where)])
        vertices += len(ring)
    if vertices > MAX_VERTICES:
        raise InvalidInput(f"at most {MAX_VERTICES} positions in a candidate's boundary",
                           [Problem(f"{vertices} positions: simplify the outline", field)])
    polygon = parse_polygon({"type": "Polygon", "coordinates": [
        [[float(v) for v in position[:2]] for position in ring] for ring in rings]}, field)
    area = area_km2(polygon)
    if not MIN_AREA_KM2 <= area <= MAX_AREA_KM2:
        raise InvalidInput(f"a candidate is {MIN_AREA_KM2} to {MAX_AREA_KM2:g} km²",
                           [Problem(f"{area:.4f} km²", field)])
    return polygon, polygon_geojson(polygon), area


# --- candidates -------------------------------------------------------------------------------

def _chosen_in(session: Session, station_id: uuid.UUID) -> dict[uuid.UUID, list[int]]:
    found: dict[uuid.UUID, list[int]] = {}
    for candidate_id, number in session.execute(
            select(ZoneDecisionChoice.candidate_id, ZoneDecision.number)
            .join(ZoneDecision, ZoneDecision.id == ZoneDecisionChoice.decision_id)
            .where(ZoneDecision.station_id == station_id).order_by(ZoneDecision.number)):
        found.setdefault(candidate_id, []).append(number)
    return found


def _out(row: ZoneCandidate, station: OrgUnit, chosen: list[int]) -> CandidateOut:
    return CandidateOut(
        id=row.id, station_code=station.code, name_th=row.name_th, name_en=row.name_en,
        boundary=row.boundary, area_km2=round(row.area_km2, 6),
        entered_counts=[EnteredCount.model_validate(e) for e in row.entered_counts],
        note=row.note, retired=row.retired, chosen_in=chosen, created_at=row.created_at,
        created_by=row.created_by, updated_at=row.updated_at, updated_by=row.updated_by)


def get_candidate_row(session: Session, station: OrgUnit,
                      candidate_id: uuid.UUID) -> ZoneCandidate:
    row = session.get(ZoneCandidate, candidate_id)
    if row is None or row.station_id != station.id:
        raise NotFound(f"no zone candidate {candidate_id} at {station.code}")
    return row


def _entered(items: list[EnteredCount]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        if (item.criterion, item.kind) in seen:
            raise InvalidInput("one entered count per criterion and kind",
                               [Problem(f"{item.criterion}/{item.kind} twice",
                                        f"entered_counts[{i}]")])
        seen.add((item.criterion, item.kind))
    return [item.model_dump() for item in items]


def create_candidate(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                     data: CandidateIn) -> CandidateOut:
    """A new candidate area of the station; audited."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    _, boundary, area = check_boundary(data.boundary)
    entered = _entered(data.entered_counts)
    active = session.scalar(select(func.count()).select_from(ZoneCandidate).where(
        ZoneCandidate.station_id == station.id, ZoneCandidate.retired.is_(False))) or 0
    if active >= MAX_CANDIDATES:
        raise Conflict(f"{station.code} has {active} candidates, the most that are scored "
                       "together: retire one first", [Problem("too many candidates")])
    now = clock.now()
    row = ZoneCandidate(station_id=station.id, name_th=data.name_th.strip(),
                        name_en=data.name_en.strip(), boundary=boundary, area_km2=area,
                        entered_counts=entered, note=(data.note or "").strip() or None,
                        retired=False, created_at=now, created_by=scope.username,
                        updated_at=now, updated_by=scope.username)
    session.add(row)
    session.flush()
    audit.record(session, actor=scope, at=now, action="measure.zone_candidate.create",
                 entity="zone_candidate", entity_id=row.id, station_id=station.id,
                 detail={"name_th": row.name_th, "area_km2": round(area, 4),
                         "entered_counts": entered})
    return _out(row, station, [])


def update_candidate(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                     candidate_id: uuid.UUID, data: CandidatePatch) -> CandidateOut:
    """Change a candidate's names, boundary, counts or note, or retire it; audited. A
    decision keeps the ranking its meeting saw, whatever changes here later."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    row = get_candidate_row(session, station, candidate_id)
    changes = data.model_dump(exclude_unset=True)
    if "boundary" in changes:
        _, row.boundary, row.area_km2 = check_boundary(data.boundary)
    if "entered_counts" in changes and data.entered_counts is not None:
        row.entered_counts = _entered(data.entered_counts)
    if data.retired is False and row.retired:
        active = session.scalar(select(func.count()).select_from(ZoneCandidate).where(
            ZoneCandidate.station_id == station.id, ZoneCandidate.retired.is_(False))) or 0
        if active >= MAX_CANDIDATES:
            raise Conflict(f"{station.code} already has {active} candidates scored",
                           [Problem("too many candidates", "retired")])
    for key in ("name_th", "name_en", "retired"):
        value = getattr(data, key)
        if key in changes and value is not None:
            setattr(row, key, value.strip() if isinstance(value, str) else value)
    if "note" in changes:
        row.note = (data.note or "").strip() or None
    row.updated_at, row.updated_by = clock.now(), scope.username
    session.flush()
    audit.record(session, actor=scope, at=row.updated_at, action="measure.zone_candidate.update",
                 entity="zone_candidate", entity_id=row.id, station_id=station.id,
                 detail={"fields": sorted(changes)})
    return _out(row, station, _chosen_in(session, station.id).get(row.id, []))


def list_candidates(session: Session, *, scope: Scope, station_code: str) -> list[CandidateOut]:
    """The station's candidates, retired ones too, oldest first."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    chosen = _chosen_in(session, station.id)
    rows = session.scalars(select(ZoneCandidate).where(ZoneCandidate.station_id == station.id)
                           .order_by(ZoneCandidate.created_at, ZoneCandidate.id))
    return [_out(r, station, chosen.get(r.id, [])) for r in rows]


def get_candidate(session: Session, *, scope: Scope, station_code: str,
                  candidate_id: uuid.UUID) -> CandidateOut:
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    row = get_candidate_row(session, station, candidate_id)
    return _out(row, station, _chosen_in(session, station.id).get(row.id, []))


# --- weights ----------------------------------------------------------------------------------

def _weights_out(row: ZoneWeights | None) -> WeightsOut:
    w = (zonescore.Weights(row.risk, row.landmark, row.economic, row.hotspot_share)
         if row else DEFAULT_WEIGHTS)
    return WeightsOut(risk=w.risk, landmark=w.landmark, economic=w.economic,
                      normalized={k: round(v, 6) for k, v in w.normalized().items()},
                      hotspot_share=w.hotspot_share, risk_from=row.risk_from if row else None,
                      risk_to=row.risk_to if row else None, is_default=row is None,
                      updated_at=row.updated_at if row else None,
                      updated_by=row.updated_by if row else None)


def get_weights(session: Session, *, scope: Scope, station_code: str) -> WeightsOut:
    """The station's weights, or the defaults (equal, half the risk from hot cells)."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    return _weights_out(session.get(ZoneWeights, station.id))


def _check_window(risk_from: date | None, risk_to: date | None) -> None:
    if risk_from and risk_to and risk_from > risk_to:
        raise InvalidInput("the risk window ends before it starts",
                           [Problem("must be on or after risk_from", "risk_to")])
    if risk_from and risk_to and (risk_to - risk_from).days + 1 > MAX_WINDOW_DAYS:
        raise InvalidInput(f"the risk window is at most {MAX_WINDOW_DAYS} days",
                           [Problem("window too long", "risk_from")])


def set_weights(session: Session, *, scope: Scope, clock: Clock, station_code: str,
                data: WeightsIn) -> WeightsOut:
    """Set the station's weights and risk window; audited with before and after."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.MEASURE_MANAGE)
    zonescore.Weights(data.risk, data.landmark, data.economic, data.hotspot_share).normalized()
    _check_window(data.risk_from, data.risk_to)
    if data.risk_from and data.risk_from > clock.now().astimezone(BANGKOK).date():
        raise InvalidInput("the risk window starts in the future",
                           [Problem("must be today or earlier", "risk_from")])
    row = session.get(ZoneWeights, station.id)
    before = _weights_out(row).model_dump(mode="json", exclude={"updated_at", "updated_by"})
    if row is None:
        row = ZoneWeights(station_id=station.id)
        session.add(row)
    row.risk, row.landmark, row.economic = data.risk, data.landmark, data.economic
    row.hotspot_share, row.risk_from, row.risk_to = data.hotspot_share, data.risk_from, data.risk_to
    row.updated_at, row.updated_by = clock.now(), scope.username
    session.flush()
    out = _weights_out(row)
    audit.record(session, actor=scope, at=row.updated_at, action="measure.zone_weights.set",
                 entity="station", entity_id=station.id, station_id=station.id,
                 detail={"before": before, "after": out.model_dump(
                     mode="json", exclude={"updated_at", "updated_by"})})
    return out


def risk_window(weights: WeightsOut, now: datetime) -> tuple[datetime, datetime]:
    """[since, until) of the risk counts: the weights' days (Bangkok), by default the last
    365 days; never past now."""
    until = now
    if weights.risk_to is not None:
        until = min(now, datetime.combine(weights.risk_to + timedelta(days=1), time(0),
                                          BANGKOK).astimezone(UTC))
    since = (datetime.combine(weights.risk_from, time(0), BANGKOK).astimezone(UTC)
             if weights.risk_from else until - timedelta(days=DEFAULT_WINDOW_DAYS))
    if since >= until:
        raise InvalidInput("the risk window has no time in it before now",
                           [Problem("set an earlier window", "risk_from")])
    return since, until


# --- the ranking -------------------------------------------------------------------------------

@cache
def _to_metres(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def _metric(geom: Any, epsg: int) -> Any:
    return shapely.transform(geom, lambda xy: np.column_stack(
        _to_metres(epsg).transform(xy[:, 0], xy[:, 1])))


def hot_cells(lat: np.ndarray, lon: np.ndarray) -> tuple[HotspotRun, Any, int]:
    """The Gi* hot cells of the points (as the hotspot layer finds them), as one geometry in
    the grid's UTM metres, with the run's description."""
    run = HotspotRun(cell_m=CELL_M, alpha=ALPHA, points=len(lat), hot_cells=0, computed=False)
    if len(lat) < 3:
        return run, None, 0
    x, y, epsg = hs.project(lat, lon)
    try:
        grid = hs.make_grid(x, y, epsg=epsg, cell_m=CELL_M)
    except InvalidInput:  # records spread too far for 250 m cells: risk from records only
        return run, None, 0
    hot = np.flatnonzero(hs.gi_star(grid, alpha=ALPHA).label == "hot")
    run.computed, run.hot_cells = True, len(hot)
    if not len(hot):
        return run, None, epsg
    row, col = np.divmod(hot, grid.nx)
    x0, y0 = grid.x0 + col * grid.cell_m, grid.y0 + row * grid.cell_m
    cells = shapely.box(x0, y0, x0 + grid.cell_m, y0 + grid.cell_m)
    return run, shapely.union_all(cells), epsg


def ranking(session: Session, *, scope: Scope, clock: Clock, station_code: str) -> Ranking:
    """Every candidate of the station (not retired) scored, best first, with each
    criterion's count, density, scaled value, weight and contribution."""
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.OPS_READ)
    weights = _weights_out(session.get(ZoneWeights, station.id))
    since, until = risk_window(weights, clock.now())
    rows = list(session.scalars(select(ZoneCandidate).where(
        ZoneCandidate.station_id == station.id, ZoneCandidate.retired.is_(False))
        .order_by(ZoneCandidate.created_at, ZoneCandidate.id)))
    records = list(unified_records(session, scope=scope, station_code=station.code,
                                   since=since, until=until))
    placed = [r for r in records if r.lat is not None and r.lon is not None]
    if len(placed) > MAX_POINTS:
        raise InvalidInput(f"{len(placed)} records in the risk window, at most {MAX_POINTS}",
                           [Problem("narrow the risk window", "risk_from")])
    lat = np.fromiter((r.lat for r in placed), dtype=np.float64, count=len(placed))
    lon = np.fromiter((r.lon for r in placed), dtype=np.float64, count=len(placed))
    groups = np.asarray([r.group.value for r in placed], dtype=str)
    run, hot, epsg = hot_cells(lat, lon)
    places = [(m.lon, m.lat, m.kind, m.name_th)
              for z in zones.list_zones(session, scope=scope, station_id=station.id,
                                        limit=1000)[0] for m in z.landmarks]
    inputs = []
    for row in rows:
        polygon = shapely.geometry.shape(row.boundary)
        shapely.prepare(polygon)
        inside = shapely.contains_xy(polygon, lon, lat) if len(placed) else np.zeros(0, bool)
        hot_share = 0.0
        if hot is not None:
            metric = _metric(polygon, epsg)
            hot_share = float(metric.intersection(hot).area / metric.area)
        inputs.append(zonescore.CandidateInput(
            id=row.id, name_th=row.name_th, name_en=row.name_en, area_km2=row.area_km2,
            records=int(inside.sum()), by_group=dict(Counter(groups[inside].tolist())),
            hot_share=hot_share,
            places=[zonescore.Place(kind, name) for x, y, kind, name in places
                    if shapely.contains_xy(polygon, x, y)],
            entered=[EnteredCount.model_validate(e) for e in row.entered_counts]))
    scored = zonescore.score(inputs, zonescore.Weights(
        weights.risk, weights.landmark, weights.economic, weights.hotspot_share))
    notes = [code for code, true in (
        ("no_candidates", not rows), ("no_records", not records),
        ("unplaced_records", len(placed) < len(records)),
        ("hotspots_skipped", not run.computed), ("no_hot_cells", run.computed and hot is None),
        ("no_landmarks", bool(scored) and all(s.landmark.count == 0 for s in scored)),
        ("no_economic", bool(scored) and all(s.economic.count == 0 for s in scored))) if true]
    return Ranking(station_code=station.code, since=since, until=until, weights=weights,
                   records=len(records), placed=len(placed), hotspots=run, notes=notes,
                   candidates=scored)
