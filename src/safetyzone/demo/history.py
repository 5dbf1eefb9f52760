"""The demo's synthetic past: N days (90 by default) of made-up activity for the stations
that have a seed zone, so the measuring screens (KPIs, the program view and scorecard,
hotspots, the People Poll, history) have something to show on a fresh demo.

Everything made here is simulated, never a seed fact, and says so: titles, names and notes
end "(ข้อมูลสาธิต)" / "(demo data)", and tables with a flag carry it (an incident's
``detail.synthetic``). Each station has its own invented profile
(``history_common.PROFILES``): busier or quieter, faster or slower to respond, more or
less afraid, so the scorecard has a spread to rank. Population figures are not touched: a
station whose seeds give none keeps none.

The draws use a fixed seed per station and part; the times run back from the moment of
seeding. Seeding runs once per database: an audit row ``demo.history.seed`` (its counts in
the detail) is the marker, and a later start finds it and adds nothing. ``ssz demo`` runs
it after loading (``--no-history`` to skip, ``--history-days N``); ``load_demo`` never
does, so the test suite's demo servers stay fast. See docs/measure/demo-history.md.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.config import Settings
from safetyzone.core.clock import BANGKOK, Clock, SystemClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Role, Scope, system_scope
from safetyzone.demo import history_field, history_ops, history_people
from safetyzone.demo.history_common import DEFAULT, PROFILES, Cluster, Operator, Site
from safetyzone.demo.patrol_plans import RISK_SPOTS, spot_code
from safetyzone.ops import shiftlog
from safetyzone.ops import units as patrol_units
from safetyzone.ops.cameras import CameraIndexCache
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import User, UserScope
from safetyzone.patrol import riskspots
from safetyzone.poll.answers import ballot_key

log = logging.getLogger(__name__)

MARKER = "demo.history.seed"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# Where a zone's incidents cluster: around two of its synthetic risk spots (the quiet soi
# behind the market and the market car park), so the hotspot maps find them.
CLUSTERS = ((3, 0.28, 170.0), (1, 0.18, 140.0))  # risk spot index, share, spread in metres


@dataclass
class HistoryResult:
    seeded: bool
    days: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        if not self.seeded:
            return f"already there ({self.days} days, seeded once; nothing added)"
        c = self.counts
        return (f"{self.days} days for {c['stations']} stations: {c['incidents']:,} incidents, "
                f"{c['reports']:,} citizen reports, {c['poll_answers']:,} poll answers in "
                f"{c['poll_waves']} waves, {c['plans']:,} patrol plans, {c['duties']:,} CCOC "
                f"duties, {c['camera_states']:,} camera states, {c['presence_rows']:,} "
                f"presence rows, in {self.seconds:.1f} s")


def _zones() -> list[dict[str, Any]]:
    text = resources.files("safetyzone.demo").joinpath("data", "zones.json").read_text("utf-8")
    data: list[dict[str, Any]] = json.loads(text)
    return data


def seeded(session: Session) -> tuple[bool, int]:
    """Whether history was seeded in this database, and over how many days."""
    rows, total = audit.list_entries(session, scope=system_scope("demo-history"),
                                     action=MARKER, limit=1)
    if not total:
        return False, 0
    return True, int((rows[0].detail or {}).get("days", 0))


def _operator(session: Session, station_id: Any) -> Operator | None:
    """The station's duty-officer login of the demo, if it has one (the first by name)."""
    user = session.scalar(select(User).join(UserScope, UserScope.user_id == User.id).where(
        UserScope.org_unit_id == station_id, User.role == Role.OPERATOR,
        User.is_active.is_(True)).order_by(User.username).limit(1))
    if user is None:
        return None
    return Operator(id=user.id, username=user.username, display_name=user.display_name,
                    role=user.role.value)


def _site(session: Session, scope: Scope, zone: dict[str, Any], clock: Clock,
          days: int) -> Site:
    station = org.get_station(session, scope=scope, code=zone["station"])
    zone_row = zones.get_zone_by_code(session, scope=scope, code=zone["code"])
    now = clock.now()
    today = now.astimezone(BANGKOK).replace(hour=0, minute=0, second=0, microsecond=0)
    units = [(u.id, u.callsign) for u in patrol_units.list_units(
        session, scope=scope, station_id=station.id) if u.code.startswith(f"{zone['code']}-")]
    spots = {s.code: s for s in riskspots.list_spots(session, scope=scope,
                                                     station_id=station.id)}
    clusters = []
    for index, share, sigma in CLUSTERS:
        spot = spots.get(spot_code(zone, index))
        if spot is not None and index < len(RISK_SPOTS):
            clusters.append(Cluster(spot.lat, spot.lon, sigma, share,
                                    RISK_SPOTS[index][0], RISK_SPOTS[index][1]))
    return Site(station_id=station.id, station_code=station.code, zone_id=zone_row.id,
                zone_code=zone_row.code, boundary=zone_row.boundary,
                profile=PROFILES.get(station.code, DEFAULT),
                since=(today - timedelta(days=days)).astimezone(now.tzinfo), until=now,
                units=units, clusters=clusters, operator=_operator(session, station.id))


def seed_history(db: Database, settings: Settings, *, days: int = DEFAULT_DAYS,
                 clock: Clock | None = None) -> HistoryResult:
    """Seed the synthetic past once (one transaction: all of it or nothing)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"history days must be 1 to {MAX_DAYS}, not {days}")
    clock = clock or SystemClock()
    scope = system_scope("demo-history")
    started = time.perf_counter()
    box = SecretBox(settings.secret_key.get_secret_value())
    key = ballot_key(settings.secret_key.get_secret_value())
    counts = dict.fromkeys(("stations", "incidents", "reports", "poll_answers", "poll_waves",
                            "plans", "duties", "camera_states", "presence_rows"), 0)
    with db.write() as session:
        done, seeded_days = seeded(session)
        if done:
            return HistoryResult(seeded=False, days=seeded_days)
        cameras = CameraIndexCache().get(session)
        for zone in _zones():
            site = _site(session, scope, zone, clock, days)
            counts["stations"] += 1
            counts["incidents"] += history_ops.seed_incidents(session, site, cameras)
            counts["duties"] += history_ops.seed_duties(
                session, site, open_now=not shiftlog.on_duty(session, station_id=site.station_id))
            counts["camera_states"] += history_field.seed_camera_health(session, scope, site)
            counts["presence_rows"] += history_field.seed_presence(
                session, site, res=settings.patrol_presence_h3_res)
            counts["plans"] += history_field.seed_plans(session, scope, site)
            counts["reports"] += history_people.seed_reports(session, site, box)
            answers = history_people.seed_poll(session, scope, site, ballot_key=key)
            counts["poll_answers"] += answers
            counts["poll_waves"] += 1 if answers else 0
        audit.record(session, actor=scope, at=clock.now(), action=MARKER, entity="demo",
                     detail={"days": days, "synthetic": True, **counts})
    result = HistoryResult(seeded=True, days=days, seconds=time.perf_counter() - started,
                           counts=counts)
    log.debug("demo history: %s", result.summary)
    return result
