"""Work orders to partners, through the HTTP API as the console and the partner's page send
them: made by hand, from a citizen's report and from a maintenance incident; answered by the
partner; verified, reopened, cancelled by the police. A partner sees its own orders only, and
never a citizen's words or contact; bad input is refused whole and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safetyzone.audit.models import AuditEntry
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.security import Role, system_scope
from safetyzone.ops.workorder_models import WorkOrder, WorkOrderLog
from safetyzone.org import auth
from safetyzone.org import service as org
from safetyzone.org.models import OwnerClass
from safetyzone.org.schemas import PartnerCreate, UserCreate
from support import citizen as phone
from support.live import Devices, wait_for
from support.world import PASSWORD, STATIONS, World

ORDERS = "/api/v1/workorders"
PARTNER = "/api/v1/partner/workorders"
_, LAT, LON = STATIONS["ST-A"]


def make(client: TestClient, headers: dict[str, str], *, key: str | None = None,
         status: int = 201, **body: Any) -> Any:
    data = {"station_code": "ST-A", "description": "ซ่อมให้ใช้งานได้", **body}
    response = client.post(ORDERS, json=data, headers={
        **headers, "Idempotency-Key": key or uuid.uuid4().hex})
    assert response.status_code == status, response.text
    return response.json()


def act(client: TestClient, headers: dict[str, str], order_id: str, action: str, *,
        partner: bool, status: int = 200, **extra: Any) -> Any:
    base = PARTNER if partner else ORDERS
    response = client.post(f"{base}/{order_id}/actions", headers=headers,
                           json={"action": action, **extra})
    assert response.status_code == status, response.text
    return response.json()


def rows(db: Database) -> tuple[int, int, int]:
    """Orders, history rows and work-order audit entries: what a refusal must not change."""
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(WorkOrder)) or 0,
                s.scalar(select(func.count()).select_from(WorkOrderLog)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action.like("workorder.%"))) or 0)


def other_partner(db: Database, clock: ManualClock) -> None:
    """A second partner of ST-A with its own account: ``other.shop``."""
    with db.write() as s:
        org.create_partner(s, scope=system_scope(), clock=clock, data=PartnerCreate(
            code="OTHER-ST-A", org_unit_code="ST-A", name_th="ผู้รับเหมาอื่น",
            owner_class=OwnerClass.PRIVATE_BUSINESS))
        auth.create_user(s, scope=system_scope(), clock=clock, data=UserCreate(
            username="other.shop", display_name="other", password=PASSWORD,
            role=Role.PARTNER, org_unit_codes=["ST-A"], partner_code="OTHER-ST-A"))


def test_a_dead_camera_goes_to_its_owner_and_back(client: TestClient, world: World,
                                                  db: Database, clock: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    shop = world.headers(client, "a.shop")
    order = make(client, operator, camera_code="ST-A-SHOP-P1-C1",
                 description="กล้องหน้าร้านดับ ตรวจสอบไฟเลี้ยง")
    assert order["partner_code"] == "SHOP-ST-A" and order["kind"] == "camera"
    assert order["status"] == "open" and order["priority"] == 3 and not order["overdue"]
    due = datetime.fromisoformat(order["due_at"])
    assert due - clock.now() == timedelta(hours=48)

    mine = client.get(PARTNER, headers=shop).json()
    assert [o["code"] for o in mine] == [order["code"]]
    assert mine[0]["camera_code"] == "ST-A-SHOP-P1-C1"
    for step in ("accept", "start"):
        assert act(client, shop, order["id"], step, partner=True)["status"] in {
            "accepted", "in_progress"}
    done = act(client, shop, order["id"], "done", partner=True, note="เปลี่ยนอะแดปเตอร์แล้ว")
    assert done["status"] == "done"

    seen = client.get(f"{ORDERS}/{order['id']}", headers=operator).json()
    assert seen["status"] == "done" and seen["done_at"]
    verified = act(client, operator, order["id"], "verify", partner=False)
    assert verified["status"] == "verified" and verified["closed_at"]
    steps = [(h["action"], h["side"], h["username"]) for h in verified["history"]]
    assert steps == [("create", "police", "a.operator"), ("accept", "partner", "a.shop"),
                     ("start", "partner", "a.shop"), ("done", "partner", "a.shop"),
                     ("verify", "police", "a.operator")]
    # The partner's copy names its own people only.
    history = client.get(f"{PARTNER}/{order['id']}", headers=shop).json()["history"]
    assert [h["username"] for h in history] == [None, "a.shop", "a.shop", "a.shop", None]

    # The fix did not hold: reopened with a reason and a new due time from now.
    clock.advance(timedelta(days=5))
    operator = world.headers(client, "a.operator")
    again = act(client, operator, order["id"], "reopen", partner=False,
                note="กล้องดับอีกครั้ง")
    assert again["status"] == "open" and again["closed_at"] is None
    assert datetime.fromisoformat(again["due_at"]) - clock.now() == timedelta(hours=48)
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_id == order["id"]).order_by(AuditEntry.id)))
    assert actions == ["workorder.create", "workorder.accept", "workorder.start",
                       "workorder.done", "workorder.verify", "workorder.reopen"]


def test_due_times_by_kind_overdue_and_the_station_panel(client: TestClient, world: World,
                                                         clock: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    # A police-owned SOS pole has no owner partner: the police choose who repairs it.
    no_partner = client.post(ORDERS, headers={**operator, "Idempotency-Key": "no-partner-1"},
                             json={"station_code": "ST-A", "asset_code": "ST-A-SOS1",
                                   "description": "ปุ่มกดไม่ทำงาน"})
    assert no_partner.status_code == 422
    assert no_partner.json()["problems"][0]["field"] == "partner_code"
    sos = make(client, operator, asset_code="ST-A-SOS1", partner_code="SHOP-ST-A")
    lamp = make(client, operator, kind="street_light", lat=LAT, lon=LON,
                partner_code="SHOP-ST-A")
    plot = make(client, operator, kind="abandoned_plot", lat=LAT, lon=LON + 0.001,
                partner_code="SHOP-ST-A", place="ที่ดินรกร้างซอย 5")
    set_due = clock.now() + timedelta(days=1, hours=1)
    other = make(client, operator, kind="other", lat=LAT, lon=LON, partner_code="SHOP-ST-A",
                 due_at=set_due.isoformat(), priority=1)
    start = clock.now()
    assert {o["kind"]: datetime.fromisoformat(o["due_at"]) - start
            for o in (sos, lamp, plot)} == {
        "sos_point": timedelta(hours=24), "street_light": timedelta(days=3),
        "abandoned_plot": timedelta(days=14)}
    assert sos["priority"] == 2 and plot["place"] == "ที่ดินรกร้างซอย 5"
    assert other["priority"] == 1

    shop = world.headers(client, "a.shop")
    act(client, shop, lamp["id"], "done", partner=True)  # done in time: never overdue
    clock.advance(timedelta(hours=25, minutes=30))
    operator = world.headers(client, "a.operator")
    listed = {o["kind"]: o for o in client.get(
        ORDERS, headers=operator, params={"station_code": "ST-A", "unfinished": True}).json()}
    assert listed["sos_point"]["overdue"] and listed["other"]["overdue"]
    assert not listed["street_light"]["overdue"] and not listed["abandoned_plot"]["overdue"]
    # The unfinished come by due time: the overdue ones first.
    order = [o["kind"] for o in client.get(ORDERS, headers=operator,
                                           params={"station_code": "ST-A"}).json()]
    assert order[:2] == ["sos_point", "other"]
    panel = client.get("/api/v1/stations/ST-A/panel", headers=operator).json()
    assert panel["ops"]["workorders_by_partner"] == [{
        "partner_code": "SHOP-ST-A", "name_th": "ร้านค้า ST-A", "name_en": "", "open": 4,
        "overdue": 2}]
    shop = world.headers(client, "a.shop")
    mine = client.get(PARTNER, headers=shop).json()
    assert [o["overdue"] for o in mine[:2]] == [True, True]
    # Another station's operator sees none of it.
    b_operator = world.headers(client, "b.operator")
    assert client.get(ORDERS, headers=b_operator).json() == []
    assert client.get(f"{ORDERS}/{sos['id']}", headers=b_operator).status_code == 404
    assert client.get("/api/v1/stations/ST-B/panel", headers=b_operator).json()[
        "ops"]["workorders_by_partner"] == []


def test_a_partner_sees_and_answers_only_its_own(client: TestClient, world: World,
                                                db: Database, clock: ManualClock) -> None:
    other_partner(db, clock)
    operator = world.headers(client, "a.operator")
    ours = make(client, operator, kind="street_light", lat=LAT, lon=LON,
                partner_code="SHOP-ST-A")
    theirs = make(client, operator, kind="street_light", lat=LAT, lon=LON,
                  partner_code="OTHER-ST-A")
    shop, other = world.headers(client, "a.shop"), world.headers(client, "other.shop")
    assert [o["id"] for o in client.get(PARTNER, headers=shop).json()] == [ours["id"]]
    assert [o["id"] for o in client.get(PARTNER, headers=other).json()] == [theirs["id"]]
    before = rows(db)
    assert client.get(f"{PARTNER}/{theirs['id']}", headers=shop).status_code == 404
    assert client.get(f"{PARTNER}/{uuid.uuid4()}", headers=shop).status_code == 404
    act(client, shop, theirs["id"], "accept", partner=True, status=404)
    act(client, shop, theirs["id"], "reject", partner=True, status=404, note="ไม่ใช่ของเรา")
    # The police side is closed to partners, and the partner side to the police (even an
    # admin): each side records its own acts.
    assert client.get(ORDERS, headers=shop).status_code == 403
    assert client.get(f"{ORDERS}/{ours['id']}", headers=shop).status_code == 403
    act(client, shop, ours["id"], "verify", partner=False, status=403)
    admin = world.headers(client, "admin")
    assert client.get(PARTNER, headers=admin).status_code == 403
    act(client, admin, ours["id"], "accept", partner=True, status=403)
    assert rows(db) == before
    assert client.get(f"{PARTNER}/{theirs['id']}", headers=other).json()["status"] == "open"

    # A refusal carries its reason back to the police, who send it elsewhere.
    refused = act(client, other, theirs["id"], "reject", partner=True,
                  note="เสาไฟนี้อยู่ในความดูแลของการไฟฟ้า")
    assert refused["status"] == "rejected" and refused["reject_reason"].startswith("เสาไฟ")
    moved = act(client, operator, theirs["id"], "reopen", partner=False,
                note="ส่งให้ร้านค้าแทน", partner_code="SHOP-ST-A")
    assert moved["partner_code"] == "SHOP-ST-A" and moved["reject_reason"] is None
    assert client.get(PARTNER, headers=other).json() == []
    assert len(client.get(PARTNER, headers=shop).json()) == 2


def test_a_citizens_lamp_report_becomes_an_order_and_follows_it(
    client: TestClient, world: World, db: Database,
) -> None:
    key = phone.new_key()
    words = "ไฟถนนหน้าบ้านเลขที่ 99 ดับ ผมชื่อสมชาย"
    sent = phone.send(client, "/reports", phone.report(
        key, LAT, LON, description=words,
        contact={"name": "สมชาย ใจดี", "phone": "0812345678"}))
    operator = world.headers(client, "a.operator")
    item = phone.item_by_code(client, operator, sent["code"])
    path = f"/api/v1/citizen/items/{item['id']}/workorder"
    before = rows(db)
    assert client.post(path, headers=operator, json={
        "partner_code": "SHOP-ST-A"}).status_code == 422  # the police write the words
    assert rows(db) == before
    answer = client.post(path, headers=operator, json={
        "partner_code": "SHOP-ST-A", "description": "ไฟถนนดับ 1 ดวง หน้าบ้านเลขที่ 99"})
    assert answer.status_code == 201, answer.text
    linked = answer.json()
    assert linked["state"] == "in_progress"
    assert linked["workorder"]["status"] == "open"
    assert linked["workorder"]["partner_code"] == "SHOP-ST-A"
    # Twice is refused, and changes nothing.
    before = rows(db)
    again = client.post(path, headers=operator, json={
        "partner_code": "SHOP-ST-A", "description": "อีกครั้ง"})
    assert again.status_code == 409 and rows(db) == before

    shop = world.headers(client, "a.shop")
    order = client.get(PARTNER, headers=shop).json()[0]
    text = json.dumps(order, ensure_ascii=False)
    for secret in ("สมชาย", "0812345678", words, sent["code"], item["id"]):
        assert secret not in text
    assert order["kind"] == "street_light" and order["description"].startswith("ไฟถนนดับ 1")
    act(client, shop, order["id"], "accept", partner=True)
    act(client, shop, order["id"], "done", partner=True, note="เปลี่ยนหลอดแล้ว")
    seen = client.get(f"/api/v1/citizen/items/{item['id']}", headers=operator).json()
    assert seen["workorder"]["status"] == "done" and seen["state"] == "in_progress"
    act(client, operator, order["id"], "verify", partner=False)
    closed = client.get(f"/api/v1/citizen/items/{item['id']}", headers=operator).json()
    assert closed["state"] == "closed" and closed["disposition"] == "maintenance_done"
    assert closed["workorder"]["status"] == "verified"
    ticket = client.get(f"/api/v1/public/tickets/{sent['code']}",
                        headers={"X-Caller-Key": key}).json()
    assert ticket["status"] == "closed"
    assert [s["status"] for s in ticket["steps"]][-2:] == ["in_progress", "closed"]


def test_only_lamp_and_plot_reports_go_to_partners(client: TestClient, world: World,
                                                  db: Database) -> None:
    operator = world.headers(client, "a.operator")
    theft = phone.send(client, "/reports", phone.report(phone.new_key(), LAT, LON,
                                                        category="theft"))
    item = phone.item_by_code(client, operator, theft["code"])
    before = rows(db)
    refused = client.post(f"/api/v1/citizen/items/{item['id']}/workorder", headers=operator,
                          json={"partner_code": "SHOP-ST-A", "description": "ซ่อม"})
    assert refused.status_code == 422 and rows(db) == before
    # Reading a report's item is not acting on it: a viewer is refused.
    plot = phone.send(client, "/reports", phone.report(phone.new_key(), LAT, LON,
                                                       category="abandoned_plot"))
    plot_item = phone.item_by_code(client, operator, plot["code"])
    viewer = world.headers(client, "a.viewer")
    assert client.post(f"/api/v1/citizen/items/{plot_item['id']}/workorder", headers=viewer,
                       json={"partner_code": "SHOP-ST-A", "description": "ถางหญ้า"}
                       ).status_code == 403
    assert rows(db) == before


def test_a_maintenance_incident_goes_to_the_points_owner(client: TestClient, world: World,
                                                        clock: ManualClock,
                                                        db: Database) -> None:
    devices = Devices(client, world, clock)
    point = devices.asset_id("ST-A-SHOP-P1")
    token = devices.credential("ST-A", "asset", point, "shop camera point")
    sent = devices.post(token, {"kind": "device.status", "device_event_id": devices.next_id(),
                                "event_time": devices.at(), "payload": {"state": "fault"}})
    assert sent.status_code == 200, sent.text
    incident = wait_for(lambda: next((i for i in devices.incidents(station_code="ST-A")
                                      if i["kind"] == "maintenance"), None))
    operator = world.headers(client, "a.operator")
    path = f"/api/v1/incidents/{incident['id']}/workorder"
    made = client.post(path, headers=operator, json={})
    assert made.status_code == 201, made.text
    order = made.json()
    assert order["partner_code"] == "SHOP-ST-A" and order["kind"] == "camera"
    assert order["source"] == "incident" and order["incident_id"] == incident["id"]
    assert order["description"] == incident["title_th"]
    timeline = client.get(f"/api/v1/incidents/{incident['id']}", headers=operator).json()
    assert any(e["entry"] == "workorder" and order["code"] in (e["text"] or "")
               for e in timeline["timeline"])
    before = rows(db)
    assert client.post(path, headers=operator, json={}).status_code == 409
    # An SOS is the police's own work, never a partner's.
    sos_token = devices.credential("ST-A", "asset", devices.asset_id("ST-A-SOS1"), "pole")
    assert devices.post(sos_token, devices.sos()).status_code == 200
    sos = wait_for(lambda: next((i for i in devices.incidents(station_code="ST-A")
                                 if i["kind"] == "sos"), None))
    assert client.post(f"/api/v1/incidents/{sos['id']}/workorder", headers=operator,
                       json={"partner_code": "SHOP-ST-A"}).status_code == 422
    assert rows(db) == before


@pytest.mark.parametrize(("change", "status"), [
    ({"station_code": "ST-B"}, 404),
    ({"station_code": "NOPE"}, 404),
    ({"asset_code": "ST-A-SOS1", "camera_code": "ST-A-SHOP-P1-C1"}, 422),
    ({"asset_code": "NOPE"}, 422),
    ({"camera_code": "ST-B-SHOP-P1-C1"}, 422),
    ({"camera_code": "ST-A-SHOP-P1-C1", "partner_code": "OTHER"}, 422),
    ({"camera_code": "ST-A-SHOP-P1-C1", "kind": "street_light"}, 422),
    ({"kind": None}, 422),
    ({"partner_code": "SHOP-ST-B"}, 422),
    ({"partner_code": None}, 422),
    ({"lat": 51.5, "lon": -0.12}, 422),
    ({"lat": None}, 422),
    ({"description": "x" * 1001}, 422),
    ({"description": ""}, 422),
    ({"description": "a\x00b"}, 422),
    ({"priority": 9}, 422),
    ({"due_at": "2027-01-01T10:00:00"}, 422),
    ({"due_at": "2020-01-01T10:00:00+07:00"}, 422),
    ({"due_at": "2099-01-01T10:00:00+07:00"}, 422),
    ({"kind": "garden"}, 422),
    ({"surprise": True}, 422),
])
def test_garbage_is_refused_whole(client: TestClient, world: World, db: Database,
                                  change: dict[str, Any], status: int) -> None:
    operator = world.headers(client, "a.operator")
    body: dict[str, Any] = {"station_code": "ST-A", "kind": "street_light", "lat": LAT,
                            "lon": LON, "partner_code": "SHOP-ST-A",
                            "description": "ไฟถนนดับ"}
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    if "asset_code" in change or "camera_code" in change:
        body.pop("lat", None), body.pop("lon", None)
        if "kind" not in change:
            body.pop("kind")
        if "partner_code" not in change:
            body.pop("partner_code")
    before = rows(db)
    response = client.post(ORDERS, json=body, headers={**operator,
                                                       "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == status, response.text
    assert rows(db) == before


def test_duplicates_oversize_and_wrong_moves_change_nothing(client: TestClient, world: World,
                                                           db: Database) -> None:
    operator = world.headers(client, "a.operator")
    first = make(client, operator, camera_code="ST-A-SHOP-P1-C1", key="same-key-0001")
    before = rows(db)
    replay = client.post(ORDERS, json={"station_code": "ST-A", "camera_code": "ST-A-SHOP-P1-C1",
                                       "description": "ซ่อมให้ใช้งานได้"},
                         headers={**operator, "Idempotency-Key": "same-key-0001"})
    assert replay.status_code == 201 and replay.json()["id"] == first["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    # A second order for the same camera while one is unfinished: 409 with its code.
    twin = client.post(ORDERS, json={"station_code": "ST-A", "camera_code": "ST-A-SHOP-P1-C1",
                                     "description": "ซ้ำ"},
                       headers={**operator, "Idempotency-Key": "other-key-0002"})
    assert twin.status_code == 409 and first["code"] in twin.text
    assert client.post(ORDERS, content=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers={
        **operator, "Idempotency-Key": "big-key-0003", "Content-Type": "application/json"}
    ).status_code == 413
    assert client.post(ORDERS, json={"station_code": "ST-A"}, headers=operator
                       ).status_code == 422  # no Idempotency-Key
    shop = world.headers(client, "a.shop")
    oid = first["id"]
    act(client, operator, oid, "verify", partner=False, status=409)  # not done yet
    act(client, operator, oid, "cancel", partner=False, status=422)  # no reason
    act(client, operator, oid, "cancel", partner=False, status=422, note="ยกเลิก",
        partner_code="SHOP-ST-A")  # a partner is set only when reopening
    act(client, shop, oid, "reject", partner=True, status=422)  # no reason
    act(client, shop, oid, "verify", partner=True, status=422)  # not the partner's act
    act(client, shop, oid, "accept", partner=True, status=409, version=7)  # stale copy
    act(client, shop, oid, "accept", partner=True, status=422, note="x" * 1001)
    assert rows(db) == before
    act(client, shop, oid, "accept", partner=True)
    act(client, shop, oid, "accept", partner=True, status=409)  # twice
    act(client, operator, oid, "reopen", partner=False, status=409, note="ยังไม่เสร็จ")
    cancelled = act(client, operator, oid, "cancel", partner=False, note="ซ้ำกับงานเดิม")
    assert cancelled["status"] == "cancelled"
    act(client, shop, oid, "done", partner=True, status=409)
    # Once cancelled, the camera may get a new order.
    assert make(client, operator, camera_code="ST-A-SHOP-P1-C1")["id"] != oid
