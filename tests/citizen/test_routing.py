"""A citizen's point goes to the station whose zone holds it, else to the nearest station."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from safetyzone.citizen import routing
from safetyzone.citizen.models import PostKind, ServicePost, StationContact
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput
from safetyzone.core.security import system_scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.schemas import ZoneCreate
from support.citizen import A_LAT, A_LON, PUBLIC
from support.world import World, square


def test_a_point_in_a_zone_goes_to_its_station(client: TestClient, world: World,
                                               db: Database) -> None:
    with db.write() as s:
        station = org.get_station(s, scope=system_scope(), code="ST-A")
        s.add(StationContact(station_id=station.id, phone="021234567",
                             line_url="https://line.me/R/ti/p/@demo", synthetic=True))
        for i, (kind, lat) in enumerate(((PostKind.POLICE_BOX, A_LAT + 0.0035),
                                         (PostKind.STATION, A_LAT))):
            s.add(ServicePost(station_id=station.id, kind=kind, name_th=f"ป้อม {i}",
                              name_en=f"Box {i}", lat=lat, lon=A_LON,
                              hours_th="ตลอด 24 ชั่วโมง", hours_en="24 hours"))
    response = client.get(f"{PUBLIC}/stations/locate",
                          params={"lat": A_LAT + 0.003, "lon": A_LON})
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["how"] == "zone" and card["zone"]["code"] == "Z-ST-A"
    assert card["station"]["code"] == "ST-A" and card["station"]["phone"] == "021234567"
    assert card["station"]["demo"] is True
    assert [p["name_en"] for p in card["posts"]] == ["Box 0", "Box 1"]  # nearest first
    assert card["posts"][0]["distance_m"] < card["posts"][1]["distance_m"]


def test_outside_every_zone_the_nearest_station_answers(world: World, db: Database,
                                                        clock: ManualClock) -> None:
    with db.read() as s:
        # Between A (13.73, 100.47) and B (13.76, 100.55), nearer to B, in no zone.
        placement = routing.place(s, lat=13.752, lon=100.535)
        b = org.get_station(s, scope=system_scope(), code="ST-B")
    assert (placement.how, placement.station_id, placement.zone_id) == ("nearest", b.id, None)
    assert placement.distance_m is not None and 1500 < placement.distance_m < 2500
    # A zone drawn there later is used at once (the index follows the registry).
    with db.write() as s:
        zones.create_zone(s, scope=system_scope(), clock=clock, data=ZoneCreate(
            code="Z-ST-A-2", station_code="ST-A", name_th="โซนใหม่", name_en="New zone",
            boundary=square(13.752, 100.535, 0.002)))
    with db.read() as s:
        placement = routing.place(s, lat=13.752, lon=100.535)
        a = org.get_station(s, scope=system_scope(), code="ST-A")
    assert (placement.how, placement.station_id) == ("zone", a.id)


def test_points_outside_thailand_are_refused(world: World, db: Database) -> None:
    with db.read() as s, pytest.raises(InvalidInput, match="outside Thailand"):
        routing.place(s, lat=35.68, lon=139.69)
