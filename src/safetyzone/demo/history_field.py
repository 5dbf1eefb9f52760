"""What the street did in the synthetic past: camera health, visible patrol presence, and
ended patrol plans with their visits.

Camera health goes through ``video.service.save_health`` (the one writer of that table)
and presence through ``patrol.presence.Tally`` (the engine's own upsert), each given past
times. Patrol plans cannot be made for a time already over (``patrol.plans.create_plan``
refuses it, rightly), so ended plans are written directly with the targets the automatic
plan asks for (``patrol.weighting``), named "(ข้อมูลสาธิต)", their visits as the GPS
stays ``patrol.compliance`` would have recorded.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from typing import Any

import h3  # type: ignore[import-untyped]
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind, AssetStatus
from safetyzone.core.clock import BANGKOK
from safetyzone.core.geo import haversine_m
from safetyzone.core.security import Scope
from safetyzone.demo.history_common import (
    ACTOR,
    MARK,
    MARK_TH,
    Site,
    bangkok_days,
    local,
)
from safetyzone.patrol import riskspots, weighting
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanUnit, PlanVisit
from safetyzone.patrol.presence import Tally
from safetyzone.video import service as video
from safetyzone.video.health import Observation
from safetyzone.video.models import CameraHealth, CameraState

CAMERA_DETAIL = f"สถานะจำลอง {MARK}"
RADIUS_M = 50.0  # as patrol.plans' default for red boxes
PLAN_START_HOUR, PLAN_HOURS = 14, 8  # one afternoon plan a day, 14.00-22.00 Bangkok


# --- camera health -----------------------------------------------------------------------


def seed_camera_health(session: Session, scope: Scope, site: Site) -> int:
    """Each of the station's cameras that has no health yet gets a state and its start:
    most online since before the period, the station's share down (offline, some frozen)
    since a few days, a few back online lately after days offline. Written as the health
    tracker writes it: the current record and the history of states (camera uptime)."""
    rng = site.rng("cameras")
    cameras, _ = assets.list_cameras(session, scope=scope, station_id=site.station_id,
                                     limit=100_000)
    known = set(session.scalars(select(CameraHealth.camera_id).where(
        CameraHealth.station_id == site.station_id)))
    span_days = max(1.0, (site.until - site.since).total_seconds() / 86400)
    made = 0
    for camera in cameras:
        if camera.id in known or camera.status is AssetStatus.RETIRED:
            continue
        draw = rng.random()
        if draw < site.profile.camera_down:
            state = CameraState.FROZEN if rng.random() < 0.2 else CameraState.OFFLINE
            since = site.until - timedelta(days=rng.uniform(0.5, min(20.0, span_days)))
        elif draw < site.profile.camera_down * 2.5:  # repaired lately: down before that
            state = CameraState.ONLINE
            since = site.until - timedelta(days=rng.uniform(1.0, min(25.0, span_days)))
            video.save_health(session, camera_id=camera.id, station_id=site.station_id,
                              observation=Observation(
                                  state=CameraState.OFFLINE, changed=True, detail=CAMERA_DETAIL,
                                  since=since - timedelta(days=rng.uniform(0.5, 5.0))))
        else:
            state = CameraState.ONLINE
            since = site.since - timedelta(days=rng.uniform(1.0, 120.0))
        video.save_health(session, camera_id=camera.id, station_id=site.station_id,
                          observation=Observation(state=state, since=since, changed=True,
                                                  detail=CAMERA_DETAIL))
        made += 1
    return made


# --- visible presence --------------------------------------------------------------------


def _cells(site: Site, res: int) -> list[tuple[str, float]]:
    """The zone's H3 cells, each weighted by how near it is to where incidents cluster."""
    cells = sorted(h3.geo_to_cells(site.boundary, res))
    if not cells:  # a zone smaller than one cell
        lat, lon = site.anywhere(site.rng("presence-cell"))
        cells = [h3.latlng_to_cell(lat, lon, res)]
    out = []
    for cell in cells:
        lat, lon = h3.cell_to_latlng(cell)
        weight = 1.0 + sum(3.0 * math.exp(-haversine_m(lat, lon, c.lat, c.lon) / 200.0)
                           for c in site.clusters)
        out.append((cell, weight))
    return out


def seed_presence(session: Session, site: Site, *, res: int) -> int:
    """Seconds of patrol seen per cell and Bangkok day, for the days before today, through
    the engine's upsert; how many rows."""
    rng = site.rng("presence")
    cells = _cells(site, res)
    total_weight = sum(w for _, w in cells)
    tally = Tally(res=res)
    today = site.until.astimezone(BANGKOK).date()
    for day in bangkok_days(site.since, site.until):
        if day >= today:
            continue
        hours = site.profile.presence_hours * rng.uniform(0.7, 1.25)
        for cell, weight in cells:
            seconds = hours * 3600 * weight / total_weight * rng.uniform(0.6, 1.4)
            if seconds >= 60:
                tally.seconds[(site.station_id, day, cell)] += round(seconds)
    return tally.upsert(session)


# --- ended patrol plans ------------------------------------------------------------------


def _places(session: Session, scope: Scope, site: Site) -> list[dict[str, Any]]:
    """What an automatic plan of the station visits: red boxes, then risk spots."""
    boxes, _ = assets.list_assets(session, scope=scope, kind=AssetKind.RED_BOX,
                                  station_id=site.station_id, limit=500)
    out: list[dict[str, Any]] = [
        {"kind": "red_box", "ref_id": b.id, "name_th": b.name_th, "name_en": b.name_en,
         "lat": b.lat, "lon": b.lon, "radius_m": RADIUS_M, "risk_score": None, "hours": []}
        for b in boxes if b.status is AssetStatus.ACTIVE]
    out += [{"kind": "risk_spot", "ref_id": s.id, "name_th": s.name_th, "name_en": s.name_en,
             "lat": s.lat, "lon": s.lon, "radius_m": s.radius_m, "risk_score": s.risk_score,
             "hours": sorted(s.high_risk_hours)}
            for s in riskspots.active_spots(session, station_id=site.station_id)]
    return out


def seed_plans(session: Session, scope: Scope, site: Site) -> int:
    """One afternoon plan a day with the zone's units, ended, each target visited as the
    station's compliance has it (short of what was asked otherwise); how many plans."""
    places = _places(session, scope, site)
    if not places:
        return 0
    rng = site.rng("plans")
    plans: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for day in bangkok_days(site.since, site.until):
        starts = local(day, PLAN_START_HOUR)
        ends = starts + timedelta(hours=PLAN_HOURS)
        if starts < site.since or ends > site.until:
            continue
        created = starts - timedelta(minutes=rng.randrange(20, 90))
        plan_id = uuid.uuid4()
        plans.append({"id": plan_id, "station_id": site.station_id,
                      "name": f"แผนตรวจจุดเสี่ยง {starts:%d/%m} ผลัด 14.00 น. {MARK_TH}",
                      "starts_at": starts, "ends_at": ends, "auto": True,
                      "created_at": created, "created_by": ACTOR, "cancelled_at": None,
                      "cancelled_by": None, "version": 1})
        units += [{"plan_id": plan_id, "unit_id": u, "assigned_at": created,
                   "assigned_by": ACTOR} for u, _ in site.units]
        for position, place in enumerate(places):
            if place["kind"] == "red_box":
                ask = weighting.ask_for_red_box(starts_at=starts, ends_at=ends)
            else:
                ask = weighting.ask_for_spot(starts_at=starts, ends_at=ends,
                                             risk_score=place["risk_score"],
                                             high_risk_hours=place["hours"])
            target_id = uuid.uuid4()
            done = rng.random() < site.profile.compliance
            stays = ask.target_visits if done else rng.randrange(ask.target_visits)
            per_stay = max(1.5, ask.target_minutes / max(1, ask.target_visits))
            last = None
            slot = (ends - starts) / max(1, stays)
            for i in range(stays):
                entered = starts + slot * i + timedelta(minutes=rng.uniform(0, 20))
                dwell = timedelta(minutes=per_stay + rng.uniform(0.5, 4.0) if done
                                  else per_stay * rng.uniform(0.3, 1.0))
                left = min(entered + dwell, ends)
                counted = (left - entered).total_seconds() >= 60
                visits.append({"id": uuid.uuid4(), "plan_id": plan_id, "target_id": target_id,
                               "unit_id": rng.choice(site.units)[0] if site.units
                               else uuid.uuid4(),
                               "entered_at": entered, "last_seen_at": left, "left_at": left,
                               "dwell_s": (left - entered).total_seconds(),
                               "counted": counted})
                last = left if counted else last
            targets.append({
                "id": target_id, "plan_id": plan_id, "position": position,
                "kind": place["kind"], "ref_id": place["ref_id"], "name_th": place["name_th"],
                "name_en": place["name_en"], "lat": place["lat"], "lon": place["lon"],
                "radius_m": place["radius_m"], "risk_score": place["risk_score"],
                "high_risk_hours": place["hours"], "target_visits": ask.target_visits,
                "target_minutes": ask.target_minutes, "alert_after_min": None,
                "last_visit_at": last, "alerted_at": None, "alert_incident_id": None})
    for model, rows in ((PatrolPlan, plans), (PlanTarget, targets), (PlanUnit, units),
                        (PlanVisit, visits)):
        if rows:
            session.execute(insert(model), rows)
    return len(plans)
