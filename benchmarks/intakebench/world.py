"""The test world the intake benchmark runs against, and the raw SQLite commit ceilings."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intakebench.common import ROOT, SECRET, SOS_ASSET, STATION

# --------------------------------------------------------------------------- setup


@dataclass(frozen=True)
class Fixture:
    """A migrated database with the world in it, copied for each phase."""

    template: Path
    password: str
    lat: float
    lon: float
    sos_token: str
    unit_tokens: list[str]
    device_id_hex: str
    station_id_hex: str


def build_fixture(directory: Path, n_units: int) -> Fixture:
    """Migrate a fresh database and build the world through the services (no HTTP)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from sqlalchemy import create_engine, select

    from safetyzone import migrations
    from safetyzone.assets.models import Asset
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.db import Database
    from safetyzone.core.security import system_scope
    from safetyzone.intake import credentials
    from safetyzone.intake.models import SubjectKind
    from safetyzone.ops import units
    from safetyzone.ops.models import UnitKind, UnitStatus
    from safetyzone.ops.schemas import UnitCreate
    from safetyzone.org import service as org
    from support.world import PASSWORD, STATIONS, build_world

    path = directory / "template.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(url)
    clock = SystemClock()
    build_world(db, clock, server_settings(directory))
    scope = system_scope("benchmark")
    hasher = credentials.SecretHasher(SECRET)
    with db.write() as s:
        station = org.get_station(s, scope=scope, code=STATION)
        asset = s.scalars(select(Asset).where(Asset.code == SOS_ASSET)).one()
        sos = credentials.issue(s, scope=scope, clock=clock, hasher=hasher,
                                station_id=station.id, subject_kind=SubjectKind.ASSET,
                                subject_id=asset.id, label="benchmark SOS pole")
        tokens = []
        for i in range(n_units):
            unit = units.create_unit(s, scope=scope, clock=clock, data=UnitCreate(
                station_code=STATION, code=f"BENCH-{i}", callsign=f"สายตรวจ {i}",
                kind=UnitKind.CAR, status=UnitStatus.AVAILABLE))
            tokens.append(credentials.issue(
                s, scope=scope, clock=clock, hasher=hasher, station_id=station.id,
                subject_kind=SubjectKind.UNIT, subject_id=unit.id,
                label=f"tracker {i}").token)
        fixture = Fixture(
            template=path, password=PASSWORD, lat=STATIONS[STATION][1],
            lon=STATIONS[STATION][2], sos_token=sos.token, unit_tokens=tokens,
            device_id_hex=sos.credential.id.hex, station_id_hex=station.id.hex)
    db.dispose()  # checkpoints the WAL, so the file alone is the whole database
    return fixture


def server_settings(data_dir: Path) -> Any:
    from safetyzone.config import Settings

    return Settings(environment="production", data_dir=data_dir, secret_key=SECRET)


# --------------------------------------------------------------------------- ceilings


@dataclass(frozen=True)
class Ceiling:
    rows_per_s: float
    rows: int
    journal_mode: str
    synchronous: int


def sqlite_ceiling(fixture: Fixture, directory: Path, per_commit: int,
                   seconds: float) -> Ceiling:
    """Raw inserts of inbox rows through the project's own engine (same pragmas), timed."""
    from safetyzone.core.db import Database

    path = directory / f"ceiling-{per_commit}.db"
    shutil.copy(fixture.template, path)
    db = Database(f"sqlite:///{path}")
    raw = db.engine.raw_connection()
    conn: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
    journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    sql = ("INSERT INTO inbox_event (id, device_id, device_event_id, station_id, "
           "source_asset_id, kind, event_time, received_at, lat, lon, accuracy_m, payload) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    payload = json.dumps({"speed_mps": None, "heading_deg": None, "altitude_m": None,
                          "battery_pct": None, "hdop": None, "alarm": None,
                          "attributes": {}})
    timed, rows, n = 0.0, 0, 0
    while timed < seconds:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        chunk = []
        for _ in range(1000):  # built outside the timed part: this is SQLite's ceiling
            n += 1
            chunk.append((uuid.uuid4().hex, fixture.device_id_hex, f"ceiling-{n}",
                          fixture.station_id_hex, None, "gps.position", now, now,
                          fixture.lat, fixture.lon, None, payload))
        start = time.perf_counter()
        for i in range(0, len(chunk), per_commit):
            conn.execute("BEGIN IMMEDIATE")
            if per_commit == 1:
                conn.execute(sql, chunk[i])
            else:
                conn.executemany(sql, chunk[i:i + per_commit])
            conn.execute("COMMIT")
            rows += min(per_commit, len(chunk) - i)
            if per_commit == 1 and timed + time.perf_counter() - start >= seconds:
                break
        timed += time.perf_counter() - start
    raw.close()
    db.dispose()
    return Ceiling(rows / timed, rows, journal, sync)
