"""Rows for the KPI tests, written straight into the tables (known inputs, exact figures):
incidents, plans with visits and check-ins, presence, camera health, citizen reports, home
watch and poll answers. Times are given in Bangkok (UTC+7) as the tests reason in it."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import h3  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets.models import (
    Asset,
    AssetKind,
    AssetStatus,
    Camera,
    SharingLevel,
)
from safetyzone.citizen.models import CitizenItem
from safetyzone.citizen.taxonomy import Channel, ItemKind, ItemState, LocationSource
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org.models import OrgUnit, OwnerClass, Zone
from safetyzone.patrol.plan_models import PatrolPlan, PlanTarget, PlanVisit
from safetyzone.patrol.redbox_models import CheckIn
from safetyzone.patrol.track_models import Presence
from safetyzone.poll import items as bank
from safetyzone.poll.models import Poll, PollResponse, PollStatus
from safetyzone.services.homewatch_models import (
    Finding,
    HomeWatchRequest,
    HomeWatchVisit,
    WatchState,
)
from safetyzone.video.models import CameraHealth, CameraHealthChange, CameraState

BKK = timezone(timedelta(hours=7))
# The world's zone of ST-A is a square of ±0.004° around this point; OUT is in the station
# (it owns the row) but outside its zone.
IN = (13.7300, 100.4700)
OUT = (13.8000, 100.4700)
_n = itertools.count(1)


def bkk(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of January 2026 in Bangkok."""
    return datetime(2026, 1, day, hour, minute, tzinfo=BKK)


def station_id(s: Session, code: str) -> uuid.UUID:
    return s.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()


def zone_id(s: Session, code: str) -> uuid.UUID:
    return s.scalars(select(Zone.id).where(Zone.code == code)).one()


def incident(s: Session, station: str, *, kind: str, priority: int, opened: datetime,
             arrive_min: float | None, at: tuple[float, float] = IN) -> None:
    arrived = None if arrive_min is None else opened + timedelta(minutes=arrive_min)
    s.add(Incident(
        station_id=station_id(s, station), kind=kind, priority=priority, title_th="เหตุ",
        title_en="incident", state=IncidentState.CLOSED, lat=at[0], lon=at[1], event_count=1,
        device_time=opened, opened_at=opened, last_event_at=opened, arrived_at=arrived,
        escalation_level=0, cameras=[], detail={}, version=1, updated_at=opened))


def plan(s: Session, station: str, starts: datetime, ends: datetime,
         cancelled: bool = False) -> PatrolPlan:
    row = PatrolPlan(station_id=station_id(s, station), name="แผน", starts_at=starts,
                     ends_at=ends, auto=False, created_at=starts, created_by="test",
                     cancelled_at=starts + timedelta(hours=1) if cancelled else None,
                     cancelled_by="test" if cancelled else None)
    s.add(row)
    s.flush()
    return row


def target(s: Session, of: PatrolPlan, *, kind: str, visits: int, minutes: int = 0,
           at: tuple[float, float] = IN, ref_id: uuid.UUID | None = None) -> PlanTarget:
    row = PlanTarget(plan_id=of.id, position=next(_n), kind=kind, ref_id=ref_id, name_th="จุด",
                     lat=at[0], lon=at[1], radius_m=50, target_visits=visits,
                     target_minutes=minutes, high_risk_hours=[])
    s.add(row)
    s.flush()
    return row


def stay(s: Session, of: PlanTarget, entered: datetime, seconds: float, counted: bool) -> None:
    s.add(PlanVisit(plan_id=of.plan_id, target_id=of.id, unit_id=uuid.uuid4(),
                    entered_at=entered, last_seen_at=entered + timedelta(seconds=seconds),
                    left_at=entered + timedelta(seconds=seconds), dwell_s=seconds,
                    counted=counted))


def red_box(s: Session, station: str, code: str) -> uuid.UUID:
    row = Asset(station_id=station_id(s, station), kind=AssetKind.RED_BOX, code=code,
                name_th="ตู้แดง", lat=OUT[0], lon=OUT[1], owner_class=OwnerClass.POLICE,
                status=AssetStatus.ACTIVE, attributes={}, created_at=bkk(1), updated_at=bkk(1))
    s.add(row)
    s.flush()
    return row.id


def checkin(s: Session, station: str, box: uuid.UUID, scanned: datetime) -> None:
    s.add(CheckIn(station_id=station_id(s, station), asset_id=box, user_id=uuid.uuid4(),
                  username="officer", scanned_at=scanned, received_at=scanned, lat=OUT[0],
                  lon=OUT[1], accuracy_m=5, distance_m=3, accepted=True))


def presence(s: Session, station: str, day: int, at: tuple[float, float], seconds: float
             ) -> None:
    s.add(Presence(station_id=station_id(s, station), day=bkk(day).date(),
                   cell=h3.latlng_to_cell(at[0], at[1], 9), res=9, seconds=seconds))


def camera(s: Session, station: str, *, owner: OwnerClass, at: tuple[float, float],
           state: CameraState | None, since: datetime | None,
           status: AssetStatus = AssetStatus.ACTIVE) -> None:
    point = s.scalars(select(Asset).where(Asset.code == f"{station}-POLICE-P1")).one()
    row = Camera(station_id=point.station_id, point_id=point.id, code=f"CAM-{next(_n)}",
                 name_th="กล้อง", owner_class=owner, lat=at[0], lon=at[1],
                 sharing_level=SharingLevel.LIVE_ALWAYS, status=status, created_at=bkk(1),
                 updated_at=bkk(1))
    s.add(row)
    s.flush()
    if state is not None and since is not None:
        health(s, row.id, row.station_id, state, since)


def health(s: Session, camera_id: uuid.UUID, station: uuid.UUID, state: CameraState,
           since: datetime) -> None:
    """The camera's state now, and its history: one stretch since then (as the prober and
    migration 0031 write it)."""
    s.add(CameraHealth(camera_id=camera_id, station_id=station, state=state, since=since))
    s.add(CameraHealthChange(camera_id=camera_id, station_id=station, state=state,
                             since=since, until=None))


def report(s: Session, station: str, *, category: str, created: datetime,
           hours: float | None, zone: str | None = None, kind: ItemKind = ItemKind.REPORT,
           state: ItemState | None = None) -> None:
    closed = None if hours is None else created + timedelta(hours=hours)
    s.add(CitizenItem(
        code=f"R{next(_n):07d}", kind=kind, channel=Channel.WEB,
        station_id=station_id(s, station), zone_id=zone_id(s, zone) if zone else None,
        category=category, description="", location_source=LocationSource.NONE,
        state=state or (ItemState.CLOSED if closed else ItemState.NEW),
        client_key_hash=uuid.uuid4().hex, history=[], created_at=created, updated_at=created,
        closed_at=closed, retain_until=created + timedelta(days=365)))


def house(s: Session, station: str, *, state: WatchState, away: tuple[datetime, datetime],
          decided: datetime | None, closed: datetime | None = None, zone: str | None = None,
          created: datetime | None = None, visits: tuple[datetime, ...] = ()) -> None:
    created = created or bkk(3)
    row = HomeWatchRequest(
        code=f"H{next(_n):07d}", station_id=station_id(s, station),
        zone_id=zone_id(s, zone) if zone else None, client_key_hash=uuid.uuid4().hex,
        state=state, away_from=away[0], away_until=away[1], lat=IN[0], lon=IN[1],
        consent={}, created_at=created, updated_at=created, decided_at=decided,
        decided_by="test" if decided else None, closed_at=closed)
    s.add(row)
    s.flush()
    for at in visits:
        s.add(HomeWatchVisit(request_id=row.id, station_id=row.station_id, at=at,
                             user_id=uuid.uuid4(), username="officer", unit_id=uuid.uuid4(),
                             accuracy_m=5, distance_m=3, finding=Finding.NORMAL))


def poll(s: Session, station: str, zone: str, *, wave: int, opens: datetime, closes: datetime,
         answers: dict[str, list[int]], status: PollStatus = PollStatus.CLOSED) -> str:
    code = f"P-{next(_n):08d}"
    row = Poll(code=code, station_id=station_id(s, station), zone_id=zone_id(s, zone),
               wave=wave, wave_name=f"รอบ {wave}", opens_at=opens, closes_at=closes,
               status=status, bank_version=bank.BANK_VERSION,
               items=[i.as_json() for i in bank.STANDARD], created_at=opens, created_by="test")
    s.add(row)
    s.flush()
    people = max(len(v) for v in answers.values())
    for i in range(people):
        given: dict[str, Any] = {k: v[i] for k, v in answers.items() if i < len(v)}
        s.add(PollResponse(poll_id=row.id, answers=given))
    return code


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)
