"""The reports as lists of sections, in the order they print. A section is a function
``(Report) -> Part | None`` with a template ``templates/monthly/<key>.html``; adding one
(the station KPIs, the WISPI scorecard) is one line here."""

from __future__ import annotations

from safetyzone.measure.monthly import area, judged, station, station_ops
from safetyzone.measure.monthly.parts import Section

# A station's report for its Big 6 meeting.
STATION: tuple[Section, ...] = (
    station.summary,
    station.groups,
    station.timing,
    station.daily,
    station_ops.zone_map,
    station_ops.response,
    judged.station_kpis,
    station_ops.people_poll,
    station_ops.rollout,
)

# A region's or HQ's report over its stations.
AREA: tuple[Section, ...] = (
    area.area_summary,
    area.phases,
    area.regions,
    area.ranking,
    judged.wispi,
    area.stations_map,
)
