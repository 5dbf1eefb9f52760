"""Retention (PDPA): each kind of citizen data is erased when its period is up, by the
sweeper, audited; the police record stays; nothing is erased early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen import retention
from safetyzone.citizen.line_models import LineChannel, LineTicket, LineUser
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.models import CitizenFix, CitizenItem, CitizenMedia
from safetyzone.citizen.retention import RetentionPolicy
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.ops.models import Incident
from support.citizen import PUBLIC, emergency, new_key, photo, report, send, tip
from support.world import World

POLICY = RetentionPolicy(emergency_days=60, report_days=90, tip_days=120, media_days=30,
                         trail_days=7)


def files(settings: Settings) -> list[str]:
    return sorted(p.name for p in (settings.data_dir / "citizen-media").rglob("*")
                  if p.is_file())


def upload(client: TestClient, code: str, key: str, shade: int) -> None:
    response = client.post(f"{PUBLIC}/tickets/{code}/media", headers={"X-Caller-Key": key},
                           files={"file": ("p.jpg", photo(shade), "image/jpeg")})
    assert response.status_code == 201, response.text


def sweep(db: Database, clock: ManualClock, settings: Settings) -> retention.Swept:
    return retention.run(db, clock, policy=POLICY,
                         store=MediaStore(settings.data_dir / "citizen-media"))


def rows(db: Database) -> dict[str, CitizenItem]:
    with db.read() as session:
        items = session.scalars(select(CitizenItem)).all()
        session.expunge_all()
    return {i.code: i for i in items}


def test_each_kind_goes_when_its_period_is_up(client: TestClient, world: World, db: Database,
                                              clock: ManualClock, settings: Settings) -> None:
    e_key, r_key, t_key = new_key(), new_key(), new_key()
    sos = send(client, "/emergencies", emergency(e_key, contact_phone="0811112222"))["code"]
    fixes = [{"lat": 16.83, "lon": 100.26, "accuracy_m": 9,
              "at": (clock.now() - timedelta(seconds=5)).isoformat()}]
    send(client, f"/emergencies/{sos}/fixes", {"fixes": fixes}, status=200, key=e_key)
    rep = send(client, "/reports", report(r_key, contact={"name": "สมศรี",
                                                          "phone": "0899999999"}))["code"]
    upload(client, rep, r_key, 1)
    named = send(client, "/tips", tip(t_key, anonymous=False))["code"]
    assert len(files(settings)) == 2  # the photo and its thumbnail

    clock.advance(timedelta(days=6))
    assert sweep(db, clock, settings).fixes == 0  # nothing is early
    clock.advance(timedelta(days=2))  # day 8: the trail (7 days) goes, nothing else
    swept = sweep(db, clock, settings)
    assert (swept.items, swept.media, swept.fixes) == (0, 0, 1)

    clock.advance(timedelta(days=23))  # day 31: photos (30 days) go, with their files
    swept = sweep(db, clock, settings)
    assert (swept.items, swept.media) == (0, 1) and files(settings) == []
    assert rows(db)[rep].description  # the report itself is still whole

    clock.advance(timedelta(days=30))  # day 61: the emergency (60 days)
    assert sweep(db, clock, settings).items == 1
    kept = rows(db)
    assert kept[sos].contact_sealed is None and kept[sos].lat is None
    assert kept[rep].contact_sealed is not None and kept[named].contact_sealed is not None

    clock.advance(timedelta(days=30))  # day 91: the report (90 days)
    assert sweep(db, clock, settings).items == 1
    clock.advance(timedelta(days=30))  # day 121: the tip (120 days)
    assert sweep(db, clock, settings).items == 1
    kept = rows(db)
    for code in (sos, rep, named):
        assert kept[code].contact_sealed is None and kept[code].description == ""
        assert kept[code].category  # the police record stays: code, category, station
    assert sweep(db, clock, settings).items == 0  # erased once, not again

    with db.read() as session:
        assert session.scalar(select(func.count(Incident.id))) == 1
        assert session.scalar(select(func.count(CitizenFix.id))) == 0
        assert session.scalar(select(func.count(CitizenMedia.id))) == 0
        erased = session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "citizen.retention_erase"))
    assert erased == 3


def test_a_shared_file_stays_while_another_ticket_shows_it(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        settings: Settings) -> None:
    first, second = new_key(), new_key()
    a = send(client, "/reports", report(first))["code"]
    upload(client, a, first, 3)
    clock.advance(timedelta(days=20))
    b = send(client, "/reports", report(second, category="theft"))["code"]
    upload(client, b, second, 3)  # the same picture: one stored file
    clock.advance(timedelta(days=11))  # a's copy is 31 days old, b's 11
    assert sweep(db, clock, settings).media == 1
    assert len(files(settings)) == 2  # still shown by b
    clock.advance(timedelta(days=20))
    assert sweep(db, clock, settings).media == 1
    assert files(settings) == []


def test_settings_may_shorten_but_never_pass_the_consent_promise(tmp_path: object) -> None:
    Settings(environment="test", secret_key=SECRET, citizen_retain_report_days=30)
    for name, days in (("citizen_retain_report_days", 366),
                       ("citizen_retain_emergency_days", 400),
                       ("citizen_retain_tip_days", 731), ("citizen_retain_media_days", 0)):
        with pytest.raises(ValidationError):
            Settings(environment="test", secret_key=SECRET, **{name: days})


def _line_rows(db: Database, clock: ManualClock, code: str) -> None:
    """A LINE channel, a user who consented, and the chat's record of their ticket."""
    with db.write() as session:
        station = session.scalar(select(CitizenItem.station_id).where(CitizenItem.code == code))
        channel = LineChannel(station_id=station, name="สภ.ทดสอบ", line_channel_id="1650000000",
                              secret_sealed="x", token_sealed="x", created_by="test",
                              created_at=clock.now())
        session.add(channel)
        session.flush()
        session.add(LineUser(channel_id=channel.id, user_hash="u" * 64, user_sealed="x",
                             consent_version="v", consent_purposes=["report"],
                             consented_at=clock.now(), last_seen_at=clock.now()))
        session.add(LineTicket(channel_id=channel.id, user_hash="u" * 64, code=code,
                               kind="report", created_at=clock.now()))


def test_line_consent_records_go_and_an_erased_ticket_is_no_longer_pushed(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        settings: Settings) -> None:
    code = send(client, "/reports", report(new_key()))["code"]
    _line_rows(db, clock, code)
    clock.advance(timedelta(days=89))
    sweep(db, clock, settings)
    with db.read() as session:  # nothing is early
        assert session.scalar(select(func.count(LineUser.id))) == 1
        assert session.scalar(select(func.count(LineTicket.id))) == 1
    clock.advance(timedelta(days=2))  # day 91: the report (90 days) and the silent user
    swept = sweep(db, clock, settings)
    assert (swept.items, swept.line_users) == (1, 1)
    with db.read() as session:
        assert session.scalar(select(func.count(LineUser.id))) == 0
        assert session.scalar(select(func.count(LineTicket.id))) == 0  # no more pushes
