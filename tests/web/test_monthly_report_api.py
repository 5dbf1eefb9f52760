"""Monthly reports over HTTP: a station's PDF and CSV, each print audited; a region desk
reads its region's and not another's, a station desk neither, HQ the country's; a bad
month is 422 and changes nothing; the archive lists and serves what the sweep stored, in
scope, each download audited; and the app runs the archive's sweep."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import SECRET
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.measure.monthly import archive
from safetyzone.measure.monthly.period import Month
from safetyzone.web.app import create_app
from support.monthly import FONTS, NOW, known_month, pdf_pages, station_id
from support.world import World

STATION = "/api/v1/stations/ST-A/reports/monthly"
AREA = "/api/v1/reports/monthly"
ARCHIVE = "/api/v1/reports/monthly/archive"


@pytest.fixture
def reports(db: Database, world: World, tmp_path: Path) -> Iterator[TestClient]:
    """The app on 3 November 2026, the archive's sweep off (the tests store reports
    themselves, so nothing appears behind their back)."""
    known_month(db)
    settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                        reports_monthly_archive_day=0)
    with TestClient(create_app(settings, db, ManualClock(NOW))) as client:
        yield client


def get(client: TestClient, world: World, user: str, path: str, **params: str) -> Any:
    return client.get(path, params=params, headers=world.headers(client, user))


def audit(client: TestClient, world: World, action: str) -> list[dict[str, object]]:
    response = client.get("/api/v1/audit", params={"action": action},
                          headers=world.headers(client, "admin"))
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_a_station_prints_its_month_as_pdf_and_csv(reports: TestClient, world: World) -> None:
    response = get(reports, world, "a.viewer", STATION, month="2026-10")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert "monthly-ST-A-2026-10-th.pdf" in response.headers[
        "content-disposition"]
    text = " ".join(" ".join(pdf_pages(response.content, "api-station-th")).split())
    assert "ตุลาคม 2569" in text and "a.viewer" in text
    response = get(reports, world, "a.operator", STATION, month="2026-10", format="csv",
                   lang="en")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = [r for r in rows if (r["section"], r["item"], r["measure"]) == (
        "groups", "total", "month")]
    assert [r["value"] for r in total] == ["5"]
    printed = audit(reports, world, "report.monthly.print")
    assert [(a["username"], a["detail"]["format"], a["detail"]["month"])  # type: ignore[index]
            for a in printed] == [("a.operator", "csv", "2026-10"),
                                  ("a.viewer", "pdf", "2026-10")]


def test_another_station_and_outsiders_get_nothing(reports: TestClient, world: World) -> None:
    assert get(reports, world, "b.operator", STATION, month="2026-10").status_code == 404
    for user in ("a.shop", "a.volunteer"):
        assert get(reports, world, user, STATION, month="2026-10").status_code == 403
    assert reports.get(STATION, params={"month": "2026-10"}).status_code == 401
    assert audit(reports, world, "report.monthly.print") == []


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "november", "2026-12", "2019-12",
                                   "2026-00"])
def test_a_bad_month_is_refused_and_nothing_is_audited(reports: TestClient, world: World,
                                                       month: str) -> None:
    for path in (STATION, AREA):
        response = get(reports, world, "admin", path, month=month)
        assert response.status_code == 422, (path, month)
        assert response.headers["content-type"] == "application/problem+json"
    assert get(reports, world, "admin", STATION, month="2026-10",
               format="docx").status_code == 422
    assert get(reports, world, "admin", STATION, lang="fr").status_code == 422
    assert audit(reports, world, "report.monthly.print") == []


def test_a_region_desk_reads_its_region_hq_the_country_a_station_desk_neither(
        reports: TestClient, world: World) -> None:
    response = get(reports, world, "reg1.commander", AREA, month="2026-10",
                   region_code="REG-1", format="csv")
    assert response.status_code == 200, response.text
    body = response.content.decode("utf-8-sig")
    assert "station:ST-A" in body and "station:ST-B" in body and "ST-C" not in body
    assert get(reports, world, "reg1.commander", AREA, region_code="REG-2",
               format="csv").status_code == 404
    assert get(reports, world, "reg1.commander", AREA, format="csv").status_code == 403
    assert get(reports, world, "a.commander", AREA, region_code="REG-1",
               format="csv").status_code == 404
    response = get(reports, world, "hq.viewer", AREA, month="2026-10")
    assert response.status_code == 200
    text = " ".join(" ".join(pdf_pages(response.content, "api-national-th")).split())
    assert "รายงานประจำเดือนระดับประเทศ" in text and "หน่วย REG-2" in text


def test_the_archive_lists_and_serves_what_the_sweep_stored_in_scope(
        reports: TestClient, world: World, db: Database) -> None:
    clock = ManualClock(NOW)
    stored = {code: archive.archive_one(db, clock, unit_id=station_id(db, code),
                                        month=Month(2026, 10), fonts_dir=FONTS)
              for code in ("ST-A", "ST-C", "REG-1", "HQ")}
    ids = {code: str(row.id) for code, row in stored.items() if row is not None}

    def listed(user: str, **params: str) -> list[str]:
        response = get(reports, world, user, ARCHIVE, **params)
        assert response.status_code == 200, response.text
        return [i["unit_code"] for i in response.json()["items"]]

    assert listed("admin") == ["HQ", "REG-1", "ST-A", "ST-C"]
    assert listed("hq.viewer", month="2026-10") == ["HQ", "REG-1", "ST-A", "ST-C"]
    assert listed("reg1.commander") == ["REG-1", "ST-A"]
    assert listed("a.operator") == ["ST-A"]
    assert listed("a.operator", unit_code="ST-A") == ["ST-A"]
    assert listed("b.operator") == []
    assert get(reports, world, "b.operator", ARCHIVE, unit_code="ST-A").status_code == 404
    assert listed("reg1.commander", unit_code="REG-1") == ["REG-1"]
    assert get(reports, world, "reg1.commander", ARCHIVE, unit_code="HQ").status_code == 404
    assert listed("hq.viewer", unit_code="HQ") == ["HQ"]
    response = get(reports, world, "a.viewer", f"{ARCHIVE}/{ids['ST-A']}")
    assert response.status_code == 200
    assert response.content == stored["ST-A"].pdf  # type: ignore[union-attr]
    response = get(reports, world, "a.viewer", f"{ARCHIVE}/{ids['ST-A']}", format="csv")
    assert response.content == stored["ST-A"].csv  # type: ignore[union-attr]
    for user, code in (("a.viewer", "REG-1"), ("a.viewer", "ST-C"), ("reg1.commander", "HQ"),
                       ("b.operator", "ST-A")):
        assert get(reports, world, user, f"{ARCHIVE}/{ids[code]}").status_code == 404
    assert get(reports, world, "a.shop", f"{ARCHIVE}/{ids['ST-A']}").status_code == 403
    assert get(reports, world, "reg1.commander", f"{ARCHIVE}/{ids['REG-1']}").status_code == 200
    downloads = audit(reports, world, "report.monthly.download")
    assert [(a["username"], a["detail"]["unit"], a["detail"]["format"])  # type: ignore[index]
            for a in downloads] == [("reg1.commander", "REG-1", "pdf"),
                                    ("a.viewer", "ST-A", "csv"), ("a.viewer", "ST-A", "pdf")]


def test_the_app_runs_the_archive_sweep_unless_turned_off(tmp_path: Path) -> None:
    def sweeps(**kw: int) -> list[object]:
        settings = Settings(environment="test", data_dir=tmp_path, secret_key=SECRET, **kw)
        app = create_app(settings, Database("sqlite://"))
        return [getattr(s, "__self__", None) for s in app.state.runtime.sweeps]

    on = [s for s in sweeps() if isinstance(s, archive.Archive)]
    assert len(on) == 1 and on[0].day == 2
    assert not [s for s in sweeps(reports_monthly_archive_day=0)
                if isinstance(s, archive.Archive)]
