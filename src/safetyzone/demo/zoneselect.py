"""The demo's zone selection: seed 002's chosen area of Mueang Phitsanulok as a candidate,
with the places the seed counts and the 191 window it names (``data/zone_selection.json``).
What the seed leaves open (the meeting's date and members, the 191 counts, other candidate
areas) is left open: no decision is recorded."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.security import Scope
from safetyzone.measure import zoneselect
from safetyzone.measure.zoneselect_schemas import CandidateIn, WeightsIn
from safetyzone.org import zones


def _data() -> Any:
    text = resources.files("safetyzone.demo").joinpath("data/zone_selection.json").read_text(
        "utf-8")
    return json.loads(text)


def ensure_zone_selection(session: Session, scope: Scope, clock: Clock) -> None:
    """Each station's candidates and weights, once: a station that already has candidates
    or weights (set by hand, or by an earlier load) is left as it is."""
    for item in _data()["stations"]:
        code = item["station"]
        if not zoneselect.get_weights(session, scope=scope, station_code=code).is_default:
            continue
        if zoneselect.list_candidates(session, scope=scope, station_code=code):
            continue
        w = item["weights"]
        zoneselect.set_weights(session, scope=scope, clock=clock, station_code=code,
                               data=WeightsIn(
                                   risk=w["risk"], landmark=w["landmark"],
                                   economic=w["economic"], hotspot_share=w["hotspot_share"],
                                   risk_from=date.fromisoformat(w["risk_from"]),
                                   risk_to=date.fromisoformat(w["risk_to"])))
        for c in item["candidates"]:
            zone = zones.get_zone_by_code(session, scope=scope, code=c["boundary_from_zone"])
            zoneselect.create_candidate(session, scope=scope, clock=clock, station_code=code,
                                        data=CandidateIn(
                                            name_th=c["name_th"], name_en=c["name_en"],
                                            boundary=zone.boundary, note=c["note"],
                                            entered_counts=c["entered_counts"]))
    session.flush()

