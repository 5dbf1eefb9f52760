"""Per-event cost of each step of batch intake, with cheaper alternatives measured in the same run.

    .venv/bin/python benchmarks/intake_parts.py [--quick] [--json PATH]

``benchmarks/intake.py`` says how fast the whole loop is; this says where a batch event's
time goes, step by step, on a migrated SQLite database (same engine, same pragmas), in one
thread with nothing else running, so the figures add up. Each alternative is a what-if for a
change proposed in benchmarks/README.md, timed next to what the code does today; the ratio is
what the change would buy for that step.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, tuple_
from sqlalchemy.orm import Session

from safetyzone import migrations
from safetyzone.core.db import Database, new_id
from safetyzone.core.events import Event, EventKind
from safetyzone.intake import service
from safetyzone.intake.credentials import DeviceIdentity
from safetyzone.intake.models import DeviceCredential, InboxEvent, SubjectKind
from safetyzone.web.routes.intake import BatchAck, BatchIn, _read

ROOT = Path(__file__).resolve().parents[1]
BATCH = 1000


def fresh_db(directory: Path) -> tuple[Database, DeviceIdentity]:
    """A migrated database with one device credential (inbox rows need it: foreign key)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from safetyzone.config import Settings
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.security import system_scope
    from safetyzone.intake import credentials
    from safetyzone.org import service as org
    from support.world import build_world

    url = f"sqlite:///{directory / 'parts.db'}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(url)
    clock = SystemClock()
    settings = Settings(environment="test", data_dir=directory, secret_key="x" * 40)
    build_world(db, clock, settings)
    with db.write() as s:
        station = org.get_station(s, scope=system_scope(), code="ST-A")
        issued = credentials.issue(
            s, scope=system_scope(), clock=clock,
            hasher=credentials.SecretHasher("x" * 40), station_id=station.id,
            subject_kind=SubjectKind.UNIT, subject_id=uuid.uuid4(), label="parts")
        cred: DeviceCredential = issued.credential
        identity = DeviceIdentity(cred.id, cred.key_id, cred.station_id, SubjectKind.UNIT,
                                  cred.subject_id, cred.label)
    return db, identity


class Batches:
    """Fresh, unique GPS batches as a tracker sends them (bytes), each fix its own time."""

    def __init__(self) -> None:
        self.n = 0

    def raw(self, with_payload: bool = False) -> bytes:
        self.n += 1
        at = datetime.now(UTC)
        extra = ',"payload":{}' if with_payload else ""
        events = ",".join(
            f'{{"kind":"gps.position","device_event_id":"p{self.n}-{j}",'
            f'"event_time":"{(at + timedelta(microseconds=j)).isoformat()}",'
            f'"location":{{"lat":13.7300,"lon":100.4700}}{extra}}}' for j in range(BATCH))
        return f'{{"events":[{events}]}}'.encode()

    def events(self) -> list[Any]:
        return BatchIn.model_validate_json(self.raw()).events


class _Rollback(Exception):
    """Raised to leave a write transaction without committing it."""


Step = tuple[str, Callable[[], Any], Callable[[], Any]]


def run_rounds(steps: list[Step], rounds: int) -> dict[str, float]:
    """Median microseconds per event of each step (one batch a call), the steps interleaved
    round by round, timed in this thread's CPU time: other processes on a busy machine then
    barely move the figures, and the alternatives of one step see the same conditions."""
    samples: dict[str, list[float]] = {name: [] for name, _, _ in steps}
    for _ in range(rounds):
        for name, prepare, step in steps:
            prepare()
            start = time.thread_time()
            step()
            samples[name].append(time.thread_time() - start)
    return {name: statistics.median(values) / BATCH * 1e6 for name, values in samples.items()}


def measure(directory: Path, rounds: int) -> dict[str, float]:
    db, identity = fresh_db(directory)
    batches = Batches()
    now = datetime.now(UTC)
    box: dict[str, Any] = {}

    def new_batch(with_payload: bool = False) -> None:
        box["raw"] = batches.raw(with_payload)
        box["events"] = BatchIn.model_validate_json(box["raw"]).events
        box["rows"] = [service._row(identity, e, now) | {"seq": i}
                       for i, e in enumerate(box["events"])]
        for row in box["rows"]:
            row["id"] = new_id()

    def duplicate_check() -> None:
        keys = [(identity.device_id, e.device_event_id) for e in box["events"]]
        with db.read() as s:
            for i in range(0, len(keys), 500):
                s.execute(select(InboxEvent.device_id, InboxEvent.device_event_id,
                                 InboxEvent.id, InboxEvent.seq, InboxEvent.received_at)
                          .where(tuple_(InboxEvent.device_id, InboxEvent.device_event_id)
                                 .in_(keys[i:i + 500]))).all()

    def rows() -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "seq"} for r in box["rows"]]

    def rolled_back(work: Callable[[Session], None]) -> Callable[[], None]:
        """The insert without its COMMIT (whose fsync is the disk's time, not the CPU's)."""
        def run() -> None:
            with contextlib.suppress(_Rollback), db.write() as s:
                work(s)
                raise _Rollback
        return run

    def orm_sorted(s: Session) -> None:
        s.execute(insert(InboxEvent).returning(InboxEvent.seq, sort_by_parameter_order=True),
                  rows()).scalars().all()

    def orm_unsorted(s: Session) -> None:
        dict(s.execute(insert(InboxEvent).returning(InboxEvent.id, InboxEvent.seq),
                       rows()).all())

    def core_executemany(s: Session) -> None:
        conn = s.connection()
        conn.execute(InboxEvent.__table__.insert(), rows())  # type: ignore[attr-defined]
        last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar() or 0)
        box["seqs"] = range(last - len(box["rows"]) + 1, last + 1)  # one writer: contiguous

    def construct() -> None:
        for e, r in zip(box["events"], box["rows"], strict=True):
            Event.model_construct(
                id=r["id"], seq=r["seq"], kind=EventKind(e.kind), station_id=r["station_id"],
                device_id=r["device_id"], source_asset_id=None, source_unit_id=None,
                device_event_id=e.device_event_id, event_time=e.event_time, received_at=now,
                location=e.location, payload=e.payload)

    def with_payload() -> None:
        new_batch(True)

    def acks() -> None:
        box["acks"] = [service.Ack(r["id"], r["seq"], r["device_event_id"], now)
                       for r in box["rows"]]

    def new_batch_with_acks() -> None:
        new_batch()
        acks()

    def respond() -> None:
        BatchAck(acks=[_read(a) for a in box["acks"]]).model_dump_json()

    # FastAPI parses the body with json.loads, then validates the Python objects.
    steps: list[Step] = [
        ("parse + validate: payload omitted (what trackers send)", new_batch,
         lambda: BatchIn.model_validate(json.loads(box["raw"]))),
        ("parse + validate: same with \"payload\":{} (no default copy)", with_payload,
         lambda: BatchIn.model_validate(json.loads(box["raw"]))),
        ("  of which json.loads", new_batch, lambda: json.loads(box["raw"])),
        ("check_events", new_batch, lambda: service.check_events(box["events"], now=now)),
        ("_row (a dict per event)", new_batch,
         lambda: [service._row(identity, e, now) for e in box["events"]]),
        ("duplicate-check SELECT (tuple IN, 500 a chunk)", new_batch, duplicate_check),
        ("INSERT: ORM, RETURNING seq sorted (today: 1 statement a row)", new_batch,
         rolled_back(orm_sorted)),
        ("INSERT: ORM, RETURNING id, seq unsorted (match by id)", new_batch,
         rolled_back(orm_unsorted)),
        ("INSERT: Core executemany, seq from last_insert_rowid", new_batch,
         rolled_back(core_executemany)),
        ("event_from_row (today: re-validates each stored row)", new_batch,
         lambda: [service.event_from_row(r, None) for r in box["rows"]]),
        ("Event.model_construct from the validated EventIn", new_batch, construct),
        ("response: AckRead models + BatchAck JSON", new_batch_with_acks, respond),
    ]
    figures = run_rounds(steps, rounds)
    db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="ssz-bench-parts-"))
    try:
        figures = measure(directory, 3 if args.quick else 25)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    ratios = {
        "parse + validate: payload given / omitted": figures[
            'parse + validate: same with "payload":{} (no default copy)'] / figures[
            "parse + validate: payload omitted (what trackers send)"],
        "insert: Core / ORM sorted": figures[
            "INSERT: Core executemany, seq from last_insert_rowid"] / figures[
            "INSERT: ORM, RETURNING seq sorted (today: 1 statement a row)"],
        "insert: ORM unsorted / ORM sorted": figures[
            "INSERT: ORM, RETURNING id, seq unsorted (match by id)"] / figures[
            "INSERT: ORM, RETURNING seq sorted (today: 1 statement a row)"],
        "Event: model_construct / event_from_row": figures[
            "Event.model_construct from the validated EventIn"] / figures[
            "event_from_row (today: re-validates each stored row)"],
    }
    width = max(len(k) for k in [*figures, *ratios])
    print(f"per-event cost of batch intake steps ({BATCH} GPS fixes a batch), "
          f"{datetime.now(UTC).isoformat(timespec='seconds')}")
    for name, us in figures.items():
        print(f"{name:<{width}}  {us:7.1f} us/event")
    for name, value in ratios.items():
        print(f"{'ratio: ' + name:<{width + 7}}  {value:5.2f}")
    out = {"us_per_event": {k: round(v, 2) for k, v in figures.items()},
           "ratios": {k: round(v, 3) for k, v in ratios.items()}}
    encoded = json.dumps(out, ensure_ascii=False)
    if args.json:
        args.json.write_text(encoded + "\n")
    print(encoded)


if __name__ == "__main__":
    main()
