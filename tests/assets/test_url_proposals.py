"""Only admins and commanders set where the server fetches a camera from; a partner proposes
an address for its own camera and police of the station approve or reject it, audited."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.assets.models import CameraUrlProposal
from safetyzone.core.db import Database
from support.world import World

SHOP_CAMERA = "ST-A-SHOP-P1-C1"
NEW_URL = "http://10.20.30.40/cgi-bin/snapshot.jpg"


def camera_id(client: TestClient, world: World, code: str) -> str:
    cameras = client.get("/api/v1/cameras", params={"limit": 1000},
                         headers=world.headers(client, "admin")).json()["items"]
    found: str = next(c["id"] for c in cameras if c["code"] == code)
    return found


def stream_url(client: TestClient, world: World, cam: str) -> Any:
    response = client.post(f"/api/v1/cameras/{cam}/stream-secret",
                           headers=world.headers(client, "admin"),
                           json={"reason": "check the approved address"})
    assert response.status_code == 200, response.text
    return response.json()["stream_url"]


def propose(client: TestClient, world: World, cam: str, who: str = "a.shop", **body: Any
            ) -> Any:
    return client.post(f"/api/v1/cameras/{cam}/url-proposals",
                       headers=world.headers(client, who), json=body)


def audits(client: TestClient, world: World, action: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = client.get(
        "/api/v1/audit", params={"action": action},
        headers=world.headers(client, "admin")).json()["items"]
    return rows


def test_a_partner_cannot_set_a_camera_address_and_is_pointed_to_proposals(
    client: TestClient, world: World,
) -> None:
    cam = camera_id(client, world, SHOP_CAMERA)
    shop = world.headers(client, "a.shop")
    for body in ({"stream_url": "http://127.0.0.1:8000/metrics"},
                 {"stream_password": "x"}, {"stream_url": None}):
        response = client.patch(f"/api/v1/cameras/{cam}", headers=shop, json=body)
        assert response.status_code == 403, response.text
        assert "url-proposals" in response.json()["detail"]
    ok = client.patch(f"/api/v1/cameras/{cam}", headers=shop, json={"name_th": "กล้องหน้าร้าน"})
    assert ok.status_code == 200, ok.text  # its other records stay its own to keep current
    created = client.post("/api/v1/cameras", headers=shop, json={
        "station_code": "ST-A", "point_code": "ST-A-SHOP-P1", "code": "SHOP-NEW",
        "name_th": "ใหม่", "stream_url": "http://169.254.169.254/latest/meta-data/"})
    assert created.status_code == 403
    assert stream_url(client, world, cam) == "rtsp://st-a-shop-p1.cam.invalid/1"
    commander = client.patch(f"/api/v1/cameras/{cam}", headers=world.headers(
        client, "a.commander"), json={"stream_url": NEW_URL})
    assert commander.status_code == 200, commander.text
    assert stream_url(client, world, cam) == NEW_URL


def test_a_partner_cannot_set_camera_addresses_through_an_import(
    client: TestClient, world: World,
) -> None:
    header = "kind,code,name_th,point_code,stream_url\n"
    shop = {**world.headers(client, "a.shop"), "Content-Type": "text/csv"}
    response = client.post("/api/v1/stations/ST-A/assets/import", headers=shop,
                           content=(header + "camera,SHOP-IMP-1,กล้อง,ST-A-SHOP-P1,"
                                    "http://127.0.0.1:22/\n").encode())
    assert response.status_code == 422, response.text
    assert "url-proposals" in str(response.json()["problems"])
    without = client.post("/api/v1/stations/ST-A/assets/import", headers=shop,
                          content=(header + "camera,SHOP-IMP-1,กล้อง,ST-A-SHOP-P1,\n").encode())
    assert without.status_code == 200, without.text


def test_a_proposal_is_sealed_listed_in_scope_and_approved_by_police(
    client: TestClient, world: World, db: Database,
) -> None:
    cam = camera_id(client, world, SHOP_CAMERA)
    created = propose(client, world, cam, stream_url=NEW_URL, stream_password="n3w-pw",
                      note="new camera box")
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["state"] == "pending"
    assert proposal["fields"] == ["stream_password", "stream_url"]
    assert proposal["proposed_url"] == NEW_URL and "n3w-pw" not in created.text
    with db.read() as session:
        row = session.scalars(select(CameraUrlProposal)).one()
        assert row.stream_url_sealed and NEW_URL not in row.stream_url_sealed  # sealed

    def listed(who: str) -> list[dict[str, Any]]:
        response = client.get("/api/v1/camera-url-proposals", headers=world.headers(client, who))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    assert [p["proposed_url"] for p in listed("a.commander")] == [NEW_URL]
    assert [p["proposed_url"] for p in listed("a.shop")] == [NEW_URL]
    assert [p["proposed_url"] for p in listed("a.operator")] == [None]  # sees it, not where
    assert listed("b.operator") == []
    path = f"/api/v1/camera-url-proposals/{proposal['id']}"
    assert client.get(path, headers=world.headers(client, "b.operator")).status_code == 404
    for who in ("a.shop", "a.operator"):
        refused = client.post(f"{path}/approve", headers=world.headers(client, who), json={})
        assert refused.status_code == 403, refused.text
    assert client.post(f"{path}/approve", headers=world.headers(client, "b.operator"),
                       json={}).status_code == 404
    assert stream_url(client, world, cam) == "rtsp://st-a-shop-p1.cam.invalid/1"  # not yet
    approved = client.post(f"{path}/approve", headers=world.headers(client, "a.commander"),
                           json={"reason": "checked with the shop"})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved",
                                                                        "a.commander")
    secret = client.post(f"/api/v1/cameras/{cam}/stream-secret",
                         headers=world.headers(client, "admin"),
                         json={"reason": "check the approved address"}).json()
    assert (secret["stream_url"], secret["stream_username"], secret["stream_password"]) == (
        NEW_URL, "viewer", "n3w-pw")  # the username was not proposed: kept
    again = client.post(f"{path}/approve", headers=world.headers(client, "a.commander"),
                        json={})
    assert again.status_code == 409
    [created_row] = audits(client, world, "camera.url_proposal.create")
    [approve_row] = audits(client, world, "camera.url_proposal.approve")
    assert created_row["username"] == "a.shop"
    assert (approve_row["username"], approve_row["reason"]) == ("a.commander",
                                                                "checked with the shop")
    assert NEW_URL not in str(created_row) + str(approve_row)


def test_a_rejected_proposal_leaves_the_camera_and_a_newer_one_supersedes(
    client: TestClient, world: World,
) -> None:
    cam = camera_id(client, world, SHOP_CAMERA)
    first = propose(client, world, cam, stream_url="http://10.0.0.1/a.jpg").json()
    second = propose(client, world, cam, stream_url="http://10.0.0.2/b.jpg").json()
    path = "/api/v1/camera-url-proposals"
    admin = world.headers(client, "admin")
    states = {p["id"]: p["state"] for p in client.get(path, headers=admin).json()["items"]}
    assert states == {first["id"]: "superseded", second["id"]: "pending"}
    assert client.post(f"{path}/{first['id']}/approve", headers=admin, json={}
                       ).status_code == 409
    rejected = client.post(f"{path}/{second['id']}/reject", headers=admin,
                           json={"reason": "not on the camera network"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert stream_url(client, world, cam) == "rtsp://st-a-shop-p1.cam.invalid/1"
    [row] = audits(client, world, "camera.url_proposal.reject")
    assert (row["username"], row["reason"]) == ("admin", "not on the camera network")
    pending = client.get(path, params={"state": "pending"}, headers=admin).json()
    assert pending["total"] == 0


def test_proposals_are_for_a_partners_own_cameras_and_are_checked(
    client: TestClient, world: World,
) -> None:
    shop_cam = camera_id(client, world, SHOP_CAMERA)
    police_cam = camera_id(client, world, "ST-A-POLICE-P1-C1")
    other_station = camera_id(client, world, "ST-B-SHOP-P1-C1")
    assert propose(client, world, police_cam, stream_url=NEW_URL).status_code == 404
    assert propose(client, world, other_station, stream_url=NEW_URL).status_code == 404
    for url in ("http://169.254.169.254/", "http://2130706433/", "http://u:p@10.0.0.1/",
                "file:///etc/passwd"):
        response = propose(client, world, shop_cam, stream_url=url)
        assert response.status_code == 422, (url, response.text)
    assert propose(client, world, shop_cam).status_code == 422  # nothing proposed
    assert propose(client, world, shop_cam, stream_url=NEW_URL, extra=1).status_code == 422
    direct = propose(client, world, shop_cam, who="a.commander", stream_url=NEW_URL)
    assert direct.status_code == 403
    assert "PATCH" in direct.json()["detail"]
    assert propose(client, world, shop_cam, who="a.operator", stream_url=NEW_URL
                   ).status_code == 403
