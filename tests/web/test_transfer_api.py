"""Bulk import and export over HTTP: raw file bodies in, problem+json or files out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from support.world import World

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
IMPORT = "/api/v1/stations/{}/assets/import"
EXPORT = "/api/v1/stations/{}/assets/export"
CSV = {"Content-Type": "text/csv"}
GEOJSON = {"Content-Type": "application/geo+json"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def totals(client: TestClient, headers: dict[str, str], station: str = "ST-A") -> tuple[int, int]:
    """How many assets and cameras the station holds, as the API tells."""
    out = []
    for path in ("/api/v1/assets", "/api/v1/cameras"):
        response = client.get(path, params={"station_code": station, "limit": 1},
                              headers=headers)
        assert response.status_code == 200, response.text
        out.append(response.json()["total"])
    return out[0], out[1]


def import_audits(client: TestClient, world: World) -> int:
    response = client.get("/api/v1/audit", params={"action": "asset.import"},
                          headers=world.headers(client, "admin"))
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


def test_import_csv_creates_every_row(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    before = totals(client, headers)
    response = client.post(IMPORT.format("ST-A"), content=fixture("good.csv"),
                           headers={**headers, **CSV})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == 12
    assert report["kind_counts"]["camera"] == 2
    assert report["kind_counts"]["camera_point"] == 2
    assert (report["station_code"], report["format"]) == ("ST-A", "csv")
    assert totals(client, headers) == (before[0] + 10, before[1] + 2)
    assert import_audits(client, world) == 1


def test_import_geojson(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    response = client.post(IMPORT.format("ST-A"), params={"format": "geojson"},
                           content=fixture("good.geojson"), headers={**headers, **GEOJSON})
    assert response.status_code == 200, response.text
    assert response.json()["kind_counts"] == {"sos_point": 1, "camera_point": 1, "camera": 2,
                                              "red_box": 1}


def test_format_follows_the_content_type_unless_named(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    response = client.post(IMPORT.format("ST-A"), content=fixture("good.geojson"),
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "geojson"
    # Named in the query, the format wins over the header.
    response = client.post(IMPORT.format("ST-A"), params={"format": "csv"},
                           content=fixture("good.geojson"), headers={**headers, **GEOJSON})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "the header was refused; nothing was imported"


def test_bad_file_is_refused_whole_with_every_line(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    before = totals(client, headers)
    response = client.post(IMPORT.format("ST-A"), content=fixture("bad.csv"),
                           headers={**headers, **CSV})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid-input"
    assert body["detail"] == "9 rows refused; nothing was imported"
    assert [p["line"] for p in body["problems"]] == [1, 3, 4, 7, 8, 9, 10, 11, 12, 13]
    assert all(p["reason"] for p in body["problems"])
    assert "swapped" in body["problems"][1]["reason"]
    assert totals(client, headers) == before
    assert import_audits(client, world) == 0


def test_bad_geojson_names_features(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    response = client.post(IMPORT.format("ST-A"), params={"format": "geojson"},
                           content=fixture("bad.geojson"), headers={**headers, **GEOJSON})
    assert response.status_code == 422, response.text
    fields = [p["field"] for p in response.json()["problems"]]
    assert "features[1].geometry" in fields
    assert "features[6]" in fields
    assert all("line" not in p for p in response.json()["problems"])


def test_importing_an_export_again_reports_every_duplicate(
    client: TestClient, world: World
) -> None:
    headers = world.headers(client, "a.commander")
    exported = client.get(EXPORT.format("ST-A"), headers=headers).content
    response = client.post(IMPORT.format("ST-A"), content=exported, headers={**headers, **CSV})
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    rows = exported.decode("utf-8-sig").count("\r\n") - 1
    assert len(problems) == rows == 5
    assert all(p["field"] == "code" and "already used at this station" in p["reason"]
               for p in problems)


def test_garbage_is_refused_clearly(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    for body, fmt, detail in (
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "csv", "the file is not UTF-8 text"),
        (b"", "csv", "the file is empty"),
        (b"kind,code,name_th\r\n", "csv", "the file has a header but no rows"),
        (b"{not json", "geojson", "the file is not JSON"),
        (b'{"type": "Point", "coordinates": [100.47, 13.73]}', "geojson",
         "the file is not a GeoJSON FeatureCollection"),
    ):
        response = client.post(IMPORT.format("ST-A"), params={"format": fmt}, content=body,
                                headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"].startswith(detail)
        assert response.json()["problems"]
    response = client.post(IMPORT.format("ST-A"), params={"format": "xlsx"}, content=b"x",
                           headers=headers)
    assert response.status_code == 422


def test_scope_and_role_are_checked_before_the_file(client: TestClient, world: World) -> None:
    body = fixture("good.csv")
    for username, station, status in (("a.operator", "ST-B", 404), ("a.viewer", "ST-A", 403),
                                      ("a.operator", "ST-A", 403), ("a.commander", "ST-B", 404),
                                      ("a.commander", "NOWHERE", 404)):
        response = client.post(IMPORT.format(station), content=body,
                               headers={**world.headers(client, username), **CSV})
        assert response.status_code == status, (username, station, response.text)
        # Garbage changes nothing: a caller without access learns nothing from the file.
        response = client.post(IMPORT.format(station), content=b"\xff\xfe",
                               headers=world.headers(client, username))
        assert response.status_code == status, (username, station, response.text)
    assert client.post(IMPORT.format("ST-A"), content=body).status_code == 401
    response = client.get(EXPORT.format("ST-B"), headers=world.headers(client, "a.operator"))
    assert response.status_code == 404
    assert client.get(EXPORT.format("ST-A")).status_code == 401


def test_body_over_the_import_limit_is_refused(
    db: Database, clock: ManualClock, settings: Settings, world: World
) -> None:
    small = settings.model_copy(update={"max_import_bytes": 1024})
    body = fixture("good.csv")
    assert len(body) > 1024

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 256):
            yield body[start:start + 256]

    with TestClient(create_app(small, db, clock)) as client:
        headers = world.headers(client, "a.commander")
        before = totals(client, headers)
        response = client.post(IMPORT.format("ST-A"), content=body, headers={**headers, **CSV})
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "payload-too-large"
        # Without a Content-Length the limit is counted as the body arrives.
        response = client.post(IMPORT.format("ST-A"), content=chunks(),
                               headers={**headers, **CSV})
        assert response.status_code == 413, response.text
        assert totals(client, headers) == before
        # Under the limit, the same app imports.
        small_file = ("kind,code,name_th,lat,lon,owner_class\n"
                      "red_box,RB-SMALL,ตู้แดง,13.73,100.47,police\n").encode()
        response = client.post(IMPORT.format("ST-A"), content=small_file,
                               headers={**headers, **CSV})
        assert response.status_code == 200, response.text


def test_export_csv_has_a_bom_and_thai_and_no_secrets(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.commander")
    client.post(IMPORT.format("ST-A"), content=fixture("good.csv"), headers={**headers, **CSV})
    response = client.get(EXPORT.format("ST-A"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="assets-ST-A.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("kind,code,name_th,")
    assert "ตู้แดง หน้าวัดโพธิ์" in text
    assert "เสา SOS หน้าตลาดสด" in text
    assert "rtsp://" not in text and "s3cret" not in text


def test_export_geojson(client: TestClient, world: World) -> None:
    headers = world.headers(client, "a.operator")
    response = client.get(EXPORT.format("ST-A"), params={"format": "geojson"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    assert "จุด SOS".encode() in response.content  # Thai as UTF-8, not \\u escapes
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in collection["features"]}
    assert set(by_code) == {"ST-A-POLICE-P1", "ST-A-SHOP-P1", "ST-A-SOS1",
                            "ST-A-POLICE-P1-C1", "ST-A-SHOP-P1-C1"}
    sos = by_code["ST-A-SOS1"]
    assert sos["geometry"] == {"type": "Point", "coordinates": [100.471, 13.73]}
    assert sos["properties"]["bound_camera_codes"] == ["ST-A-POLICE-P1-C1"]
    assert by_code["ST-A-POLICE-P1-C1"]["properties"]["stream_url"] is None


def test_partner_export_holds_only_its_own(client: TestClient, world: World) -> None:
    response = client.get(EXPORT.format("ST-A"), headers=world.headers(client, "a.shop"))
    assert response.status_code == 200, response.text
    rows = response.content.decode("utf-8-sig").splitlines()[1:]
    assert {row.split(",")[1] for row in rows} == {"ST-A-SHOP-P1", "ST-A-SHOP-P1-C1"}
