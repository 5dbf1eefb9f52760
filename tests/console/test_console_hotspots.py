"""Statistical hotspots on the operator console, in a real browser against a real server.

Calls are logged through the API (the way the call desk enters them): 90 spread over the
station, 45 at one market corner. The operator turns on "จุดเสี่ยงจากสถิติ" in the layers
panel: Gi* draws the corner as hot cells (5 % false discovery rate) with a legend that
counts them; local Moran's I labels the same place HH; in English the legend speaks English.
Screenshot at 1366x768 in test-artifacts/console/.

Zone selection on the same station: a commander reads two candidate areas ranked with their
breakdown on the station panel (a name holding markup shown as text), records the Big 6
meeting's decision in the dialog, and reads it back with its meeting day in the Buddhist Era
(Gregorian in English). Screenshot console-zone-selection-1366x768.png.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from support.console import Field, Server, log_in


def centre(field: Field) -> tuple[float, float]:
    zone = field.get("/api/v1/zones", station_code=field.station)["items"][0]
    ring = zone["boundary"]["coordinates"][0]
    return (sum(p[1] for p in ring[:-1]) / (len(ring) - 1),
            sum(p[0] for p in ring[:-1]) / (len(ring) - 1))


def log_calls(field: Field) -> tuple[float, float]:
    """Thefts entered as phone calls; answers the planted corner."""
    lat, lon = centre(field)
    rng = np.random.default_rng(8)
    spread = [(lat + a, lon + o) for a, o in rng.uniform(-0.02, 0.02, (90, 2))]
    corner = (lat + 0.008, lon + 0.008)
    spots = spread + [(corner[0] + a, corner[1] + o) for a, o in rng.normal(0, 0.0003, (45, 2))]
    for a, o in spots:
        response = field.http.post("/api/v1/calls", headers={
            **field.admin, "Idempotency-Key": uuid.uuid4().hex}, json={
            "station_code": field.station, "source": "phone", "call_type": "theft",
            "description": "ถูกลักทรัพย์", "lat": round(float(a), 6), "lon": round(float(o), 6)})
        assert response.status_code == 201, response.text
    return corner


@pytest.fixture
def page(chromium: Any, server: Server) -> Any:
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    log_in(tab, server.url, "pcr.operator")
    yield tab
    assert not errors, f"JavaScript errors: {errors}"
    context.close()


def test_an_operator_sees_gi_star_hot_cells(field: Field, page: Any, artifacts: Path) -> None:
    corner = log_calls(field)
    page.click("#layers summary")  # folded on a laptop screen (fit.js): the operator opens it
    page.check("#hotspots-on")
    page.wait_for_selector("path.hotspot-hot")
    hot = page.locator("path.hotspot-hot").count()
    assert hot >= 1
    legend = page.locator("#hotspots-legend li").all_inner_texts()
    assert legend[0] == f"จุดร้อน ({hot})"
    assert "เหตุ" in page.locator("#hotspots-status").inner_text()
    # The server's own layer: the hot cells drawn are its hot cells, at the planted corner.
    layer = field.get("/api/v1/hotspots/cells", station_code=field.station, method="gi_star")
    cells = [f for f in layer["features"] if f["properties"]["class"] == "hot"]
    assert len(cells) == hot
    for cell in cells:
        ring = cell["geometry"]["coordinates"][0][:4]
        lat, lon = sum(p[1] for p in ring) / 4, sum(p[0] for p in ring) / 4
        assert abs(lat - corner[0]) < 0.005 and abs(lon - corner[1]) < 0.005
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts / "console-hotspots-1366x768.png"))
    # The tables behind the layer: the near-repeat test on the same calls, and the forecast
    # check, which says it has nothing to judge (every call is minutes old, so the period's
    # first two thirds hold none) rather than printing PAI 0.00.
    page.click("#hotspots-tables-open")
    knox = page.locator("#hotspots-knox")
    knox.wait_for()
    assert "คู่ที่ใกล้ทั้งที่และเวลา" in knox.inner_text()
    forecast = page.locator("#hotspots-forecast")
    assert "ยังประเมินไม่ได้" in forecast.inner_text()
    assert forecast.locator("tr[data-method]").count() == 0
    page.screenshot(path=str(artifacts / "console-hotspots-tables-1366x768.png"))
    page.click("#hotspots-tables form[method=dialog] button")
    # Local Moran's I labels the same place a high-high cluster.
    page.select_option("#hotspots-method", "moran")
    page.wait_for_selector("path.hotspot-HH")
    assert page.locator("#hotspots-legend li").first.inner_text().startswith("สูงล้อมด้วยสูง")
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("#hotspots-legend li").first.inner_text().startswith(
        "High among high (HH)")
    page.uncheck("#hotspots-on")
    page.wait_for_function("() => !document.querySelector('path.hotspot-cell')")


HOSTILE = "ตลาด <img src=x onerror=alert(1)>"


def box(lat: float, lon: float, half: float = 0.003) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_commander_ranks_candidates_and_records_the_big6_decision(
        chromium: Any, server: Server, field: Field, artifacts: Path) -> None:
    lat, lon = centre(field)
    base = f"/api/v1/stations/{field.station}"
    for name, (a, o), counts in (
            (HOSTILE, (lat + 0.008, lon + 0.008), [{
                "criterion": "economic", "kind": "market", "count": 2, "source": "สำรวจ"}]),
            ("ริมคลอง", (lat - 0.01, lon - 0.01), [])):
        made = field.http.post(f"{base}/zone-candidates", headers={
            **field.admin, "Idempotency-Key": uuid.uuid4().hex}, json={
            "name_th": name, "name_en": name, "boundary": box(a, o), "entered_counts": counts})
        assert made.status_code == 201, made.text
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, server.url, "pcr.commander")
    page.keyboard.press("3")
    page.wait_for_selector("#view-station:not([hidden]) #zs-table tbody tr")
    rows = page.locator("#zs-table tbody tr")
    assert rows.count() == 2
    assert HOSTILE in rows.all_inner_texts()[0] + rows.all_inner_texts()[1]
    assert page.locator('img[src="x"]').count() == 0
    assert "ยังไม่มีการบันทึกมติ" in page.locator("#zs-no-decision").inner_text()
    page.click("#zs-decide-open")
    dialog = page.locator("dialog#zs-decision-dialog[open]")
    dialog.wait_for()
    dialog.locator("#zs-d-meeting").fill("2021-06-15")
    dialog.locator("#zs-d-launch").fill("2021-09-21")
    dialog.locator("#zs-d-members").fill(
        "พ.ต.อ. ก | ผกก. | สน.ภาษีเจริญ\nนาย ข | ผู้อำนวยการเขต | สำนักงานเขตภาษีเจริญ")
    dialog.locator("input[data-candidate]").first.check()
    dialog.locator("select[data-zone-for]").first.select_option("PCR-KBL")
    dialog.locator("#zs-d-rationale").fill("ตลาดน้ำ มีเหตุลักทรัพย์ซ้ำ <b>ไม่ใช่ HTML</b>")
    page.screenshot(path=str(artifacts / "console-zone-decision-1366x768.png"))
    dialog.locator("#zs-decision-dialog-submit").click()
    page.wait_for_selector(".zs-decision.in-force")
    decision = page.locator(".zs-decision.in-force").inner_text()
    assert "มติที่ 1" in decision and "มีผลอยู่" in decision
    assert "15 มิ.ย. 2564" in decision and "21 ก.ย. 2564" in decision
    assert "<b>ไม่ใช่ HTML</b>" in decision
    page.screenshot(path=str(artifacts / "console-zone-selection-1366x768.png"))
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    english = page.locator(".zs-decision.in-force").inner_text()
    assert "Decision 1" in english and "15 Jun 2021" in english
    decisions = field.get(f"{base}/zone-decisions")
    assert [(d["number"], d["choices"][0]["zone_code"]) for d in decisions] == [(1, "PCR-KBL")]
    compared = field.get(f"{base}/zones/PCR-KBL/before-after", months=3)
    assert (compared["launch_from"], compared["launch_on"]) == ("decision", "2021-09-21")
    assert not errors, f"JavaScript errors: {errors}"
    context.close()
