"""The CCOC's shift (ops.shiftlog): duty on and off (twice refused), the log with notes and
notable events and the incidents' key events beside it, handovers with their carried items
(covert hits never), acknowledged once by someone else on duty; station scope and roles on
every act; every act audited; the duty day's boundary."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from safetyzone.core.security import system_scope
from safetyzone.ops import incidents, shiftlog, units
from safetyzone.ops.covert import COVERT_OWNER
from safetyzone.ops.models import IncidentState, UnitKind, UnitStatus
from safetyzone.ops.schemas import UnitCreate
from safetyzone.ops.shiftlog_models import DutyShift, Handover, ShiftLogEntry
from safetyzone.ops.shiftlog_schemas import (
    DownCamera,
    DutyIn,
    EntryIn,
    EntryRead,
    HandoverAckIn,
    HandoverIn,
    ShiftState,
)
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.schemas import UserCreate
from safetyzone.patrol import board
from support.history import scope_of
from support.world import PASSWORD, World

DAY_START = 8
CAMERA = DownCamera(id=uuid.uuid4(), code="ST-A-CAM-9", state="offline",
                    since=datetime(2026, 1, 1, tzinfo=UTC))


def _count(db: Database, table: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def on(db: Database, clock: ManualClock, user: str, station: str = "ST-A") -> DutyShift:
    with db.write() as s:
        return shiftlog.go_on_duty(s, scope=scope_of(db, user), clock=clock,
                                   station_code=station)


def off(db: Database, clock: ManualClock, user: str, other: str | None = None) -> DutyShift:
    with db.write() as s:
        return shiftlog.go_off_duty(s, scope=scope_of(db, user), clock=clock,
                                    station_code="ST-A", data=DutyIn(username=other))


def hand_over(db: Database, clock: ManualClock, user: str, notes: str = "ส่งเวร",
              cameras: list[DownCamera] | None = None) -> Handover:
    with db.write() as s:
        return shiftlog.write_handover(s, scope=scope_of(db, user), clock=clock,
                                       station_code="ST-A", data=HandoverIn(notes=notes),
                                       cameras_down=cameras or [])


def acknowledge(db: Database, clock: ManualClock, user: str, handover: uuid.UUID,
                note: str | None = None) -> Handover:
    with db.write() as s:
        return shiftlog.acknowledge_handover(s, scope=scope_of(db, user), clock=clock,
                                             handover_id=handover,
                                             data=HandoverAckIn(note=note))


def state(db: Database, clock: ManualClock, user: str) -> ShiftState:
    with db.read() as s:
        return shiftlog.state(s, scope=scope_of(db, user), now=clock.now(), station_code="ST-A",
                              start_hour=DAY_START, cameras_down=[])


def log(db: Database, clock: ManualClock, user: str, day: date | None = None
        ) -> list[tuple[str, str, str | None]]:
    with db.read() as s:
        found = shiftlog.read_log(s, scope=scope_of(db, user), station_code="ST-A",
                                  day=shiftlog.checked_day(day, now=clock.now(),
                                                           start_hour=DAY_START))
    return [(e.username, str(e.kind), e.text) for e in found.entries]


def open_incident(db: Database, clock: ManualClock, title: str, priority: int = 2,
                  station: str = "ST-A", **detail: str) -> uuid.UUID:
    with db.write() as s:
        station_id = org.get_station(s, scope=system_scope(), code=station).id
        return incidents.open_alert(
            s, station_id=station_id, kind="alarm", priority=priority, title_th=title,
            title_en=f"{title} (en)", lat=13.73, lon=100.47, now=clock.now(), ack_timeout_s=60,
            source_th="ตู้", source_en="pole", cameras=[], detail=detail).id


def test_duty_on_and_off_twice_refused_several_at_once(db: Database, clock: ManualClock,
                                                      world: World) -> None:
    on(db, clock, "a.operator")
    clock.advance(timedelta(minutes=5))
    with pytest.raises(Conflict) as twice:
        on(db, clock, "a.operator")
    assert twice.value.code == "already-on-duty"
    on(db, clock, "a.commander")
    now = state(db, clock, "a.viewer")
    assert [d.username for d in now.on_duty] == ["a.operator", "a.commander"]
    assert now.on_duty[0].role == "operator" and not now.you_on_duty
    assert state(db, clock, "a.operator").you_on_duty
    off(db, clock, "a.operator")
    with pytest.raises(Conflict) as again:
        off(db, clock, "a.operator")
    assert again.value.code == "not-on-duty"
    on(db, clock, "a.operator")  # a second duty the same day is a new row
    assert _count(db, DutyShift) == 3
    assert [(u, k) for u, k, _ in log(db, clock, "a.viewer")] == [
        ("a.operator", "on_duty"), ("a.commander", "on_duty"), ("a.operator", "off_duty"),
        ("a.operator", "on_duty")]
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("shift.%")).order_by(AuditEntry.id)))
    assert actions == ["shift.on_duty", "shift.on_duty", "shift.off_duty", "shift.on_duty"]


def test_roles_and_scope(db: Database, clock: ManualClock, world: World) -> None:
    for user in ("a.viewer", "a.patrol", "a.investigator", "a.shop", "a.volunteer"):
        with pytest.raises(PermissionDenied):
            on(db, clock, user)
    for user in ("a.shop", "a.volunteer"):
        with pytest.raises(PermissionDenied):
            state(db, clock, user)
    with pytest.raises(NotFound):
        on(db, clock, "b.operator", "ST-A")
    with pytest.raises(NotFound):
        state(db, clock, "b.operator")
    assert _count(db, DutyShift) == 0 and _count(db, ShiftLogEntry) == 0
    # Only a commander ends somebody else's duty (one forgotten at the end of the shift).
    on(db, clock, "a.operator")
    with db.write() as s:
        auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
            username="a.operator2", display_name="ส.ต.อ. สอง", password=PASSWORD,
            role="operator", org_unit_codes=["ST-A"]))
    on(db, clock, "a.operator2")
    with pytest.raises(PermissionDenied):
        off(db, clock, "a.operator2", other="a.operator")
    ended = off(db, clock, "a.commander", other="a.operator")
    assert (ended.username, ended.ended_by) == ("a.operator", "a.commander")
    assert log(db, clock, "a.viewer")[-1] == ("a.operator", "off_duty", "ended by a.commander")
    with pytest.raises(Conflict):
        off(db, clock, "a.commander", other="nobody")


def test_notes_and_events_name_incidents_of_the_station_only(db: Database, clock: ManualClock,
                                                             world: World) -> None:
    mine = open_incident(db, clock, "สัญญาณกันขโมย ร้านทอง")
    theirs = open_incident(db, clock, "เหตุสถานีอื่น", station="ST-B")
    operator = scope_of(db, "a.operator")

    def add(**body: object) -> EntryRead:
        with db.write() as s:
            return shiftlog.add_entry(s, scope=operator, clock=clock, station_code="ST-A",
                                      data=EntryIn.model_validate(body))

    note = add(kind="note", text="โทรประสานอำเภอเรื่องไฟฟ้าดับ")
    event = add(kind="event", text="ผู้กำกับตรวจเยี่ยมศูนย์", incident_id=str(mine))
    assert note.kind == "note" and event.incident_title_th == "สัญญาณกันขโมย ร้านทอง"
    for bad in (theirs, uuid.uuid4()):
        with pytest.raises(InvalidInput):
            add(kind="event", text="x", incident_id=str(bad))
    with pytest.raises(PermissionDenied), db.write() as s:
        shiftlog.add_entry(s, scope=scope_of(db, "a.viewer"), clock=clock, station_code="ST-A",
                           data=EntryIn(kind="note", text="x"))
    assert _count(db, ShiftLogEntry) == 2
    assert [k for _, k, _ in log(db, clock, "a.patrol")] == ["note", "event"]


def test_the_log_shows_p1_and_escalations_beside_it_but_no_covert_hit(
        db: Database, clock: ManualClock, world: World) -> None:
    operator = scope_of(db, "a.operator")
    p1 = open_incident(db, clock, "กดปุ่ม SOS ตลาด", priority=1)
    open_incident(db, clock, "ทะเบียนลับ", priority=1, **{COVERT_OWNER: str(operator.user_id)})
    open_incident(db, clock, "แจ้งซ่อม", priority=4)
    clock.advance(timedelta(minutes=2))
    with db.write() as s:
        escalated = incidents.escalate_overdue(s, now=clock.now(), step=timedelta(minutes=1))
    assert len(escalated) == 3
    rows = log(db, clock, "a.commander")
    assert rows == [("system", "incident_opened", "P1"),
                    ("system", "incident_escalated", "level 1"),
                    ("system", "incident_escalated", "level 1")]
    with db.read() as s:
        found = shiftlog.read_log(s, scope=scope_of(db, "a.commander"), station_code="ST-A",
                                  day=shiftlog.day_of(clock.now(), DAY_START))
    assert found.entries[0].incident_id == p1
    assert "ทะเบียนลับ" not in {e.incident_title_th for e in found.entries}
    # The list owner sees its own covert hit, as in the queue.
    assert len(log(db, clock, "a.operator")) == 5


def test_handover_carries_open_items_and_waits_for_the_next_officer(
        db: Database, clock: ManualClock, world: World) -> None:
    operator = scope_of(db, "a.operator")
    sos = open_incident(db, clock, "กดปุ่ม SOS ตลาด", priority=1)
    open_incident(db, clock, "ทะเบียนลับ", priority=1, **{COVERT_OWNER: str(operator.user_id)})
    with db.write() as s:
        unit = units.create_unit(s, scope=system_scope(), clock=clock, data=UnitCreate(
            station_code="ST-A", code="CAR-7", callsign="สายตรวจ 7", kind=UnitKind.CAR,
            status=UnitStatus.AVAILABLE))
        board.set_status(s, scope=operator, clock=clock, unit_id=unit.id,
                         data=board.BoardStatusIn(status="unavailable", reason="ยางแตก"))
    clock.advance(timedelta(minutes=30))
    with pytest.raises(Conflict) as off_duty:
        hand_over(db, clock, "a.operator")
    assert off_duty.value.code == "not-on-duty"
    on(db, clock, "a.operator")
    written = hand_over(db, clock, "a.operator", "ฝากติดตามเหตุ SOS ตลาด", cameras=[CAMERA])
    with pytest.raises(Conflict) as twice:
        hand_over(db, clock, "a.operator", "ซ้ำ")
    assert twice.value.code == "handover-pending"
    carried = shiftlog.handover_read(written).carried
    assert [(i.id, i.state.value, i.age_s) for i in carried.incidents] == [(sos, "new", 1800.0)]
    [down] = carried.units_out_of_service
    assert (down.callsign, down.reason) == ("สายตรวจ 7", "ยางแตก")
    assert [c.code for c in carried.cameras_down] == ["ST-A-CAM-9"]
    # Unacknowledged, it stays on every console of the station, the writer's included.
    for user in ("a.viewer", "a.operator", "admin"):
        assert [h.id for h in state(db, clock, user).pending_handovers] == [written.id]
    with pytest.raises(Conflict) as own:
        acknowledge(db, clock, "a.operator", written.id)
    assert own.value.code == "own-handover"
    with pytest.raises(Conflict) as not_on:
        acknowledge(db, clock, "a.commander", written.id)
    assert not_on.value.code == "not-on-duty"
    for user in ("a.viewer", "a.shop"):
        with pytest.raises(PermissionDenied):
            acknowledge(db, clock, user, written.id)
    with pytest.raises(NotFound):
        acknowledge(db, clock, "b.operator", written.id)
    with pytest.raises(NotFound):
        acknowledge(db, clock, "a.commander", uuid.uuid4())
    on(db, clock, "a.commander")
    taken = acknowledge(db, clock, "a.commander", written.id, note="รับทราบ")
    assert (taken.acknowledged_by, taken.ack_note) == ("a.commander", "รับทราบ")
    with pytest.raises(Conflict) as again:
        acknowledge(db, clock, "admin", written.id)
    assert again.value.code == "handover-acknowledged"
    after = state(db, clock, "a.viewer")
    assert after.pending_handovers == []
    assert [h.acknowledged_by for h in after.handovers_today] == ["a.commander"]
    assert log(db, clock, "a.viewer") == [
        ("system", "incident_opened", "P1"), ("a.operator", "on_duty", None),
        ("a.operator", "handover", "ฝากติดตามเหตุ SOS ตลาด"), ("a.commander", "on_duty", None),
        ("a.commander", "handover_ack", "รับทราบ")]
    with db.read() as s:
        audited = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_id == str(written.id))))
    assert audited == ["shift.handover", "shift.handover_ack"]
    # The next handover is the writer's again, and a handover with nothing open is fine.
    with db.write() as s:
        incidents.transition(s, scope=operator, clock=clock, incident_id=sos,
                             to=IncidentState.CLOSED, disposition="false_alarm")
        board.set_status(s, scope=operator, clock=clock, unit_id=unit.id,
                         data=board.BoardStatusIn(status="available"))
    empty = shiftlog.handover_read(hand_over(db, clock, "a.commander", "เงียบ"))
    assert (empty.carried.incidents, empty.carried.units_out_of_service,
            empty.carried.cameras_down) == ([], [], [])


@pytest.mark.parametrize(("at", "start_hour", "day"), [
    ("2026-01-01T00:59:00+00:00", 8, date(2025, 12, 31)),  # 07:59 Bangkok
    ("2026-01-01T01:00:00+00:00", 8, date(2026, 1, 1)),  # 08:00 Bangkok
    ("2025-12-31T17:00:00+00:00", 0, date(2026, 1, 1)),  # midnight Bangkok
    ("2025-12-31T16:59:59+00:00", 0, date(2025, 12, 31)),
])
def test_the_duty_day(at: str, start_hour: int, day: date) -> None:
    found = shiftlog.day_of(datetime.fromisoformat(at), start_hour)
    assert found.day == day
    assert found.starts_at.hour == start_hour
    assert found.ends_at - found.starts_at == timedelta(days=1)
    with pytest.raises(InvalidInput):
        shiftlog.checked_day(day + timedelta(days=1), now=datetime.fromisoformat(at),
                             start_hour=start_hour)


def test_entries_fall_in_their_duty_day(db: Database, clock: ManualClock, world: World) -> None:
    clock.advance(timedelta(minutes=59))  # 07:59 in Bangkok: yesterday's duty day
    on(db, clock, "a.operator")
    clock.advance(timedelta(minutes=1))  # 08:00: today's
    off(db, clock, "a.operator")
    assert [k for _, k, _ in log(db, clock, "a.viewer")] == ["off_duty"]
    assert [k for _, k, _ in log(db, clock, "a.viewer", date(2025, 12, 31))] == ["on_duty"]
