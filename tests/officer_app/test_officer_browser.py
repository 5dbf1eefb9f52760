"""The officer's phone app in a real Chromium at 390x844, beside the operator console at
1366x768, against a real server with the demo loaded.

Journeys (issue 10): an officer logs in, joins a patrol car for the shift, gets an SOS
incident dispatched by the operator on the console, reports en route, on scene, a note and a
photo, and clears it, while the console shows each step (incident state, the unit's status,
the note); the phone's positions move the unit. In a dead spot, a note and a status change
wait in the phone's outbox and reach the server once when the link returns; an answer lost
on the way back is retried with the same key and done once. The officer's SOS, held down,
opens a P1 "officer in danger" incident and the phone's next positions follow.

Every phone screen is checked for sideways scrolling and tap targets under 44 px, and left
as a screenshot under test-artifacts/officer/ (docs/screenshots/officer-*.png when
SSZ_TEST_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from support.console import Field
from support.officer_app import (
    DISPATCH_SEEN_MS,
    OFFICER,
    STEP_SEEN_MS,
    Console,
    Phone,
    incident_for,
    jpeg,
    timeline,
    wait_until,
)


def test_dispatch_to_cleared_from_the_phone_while_the_console_follows(
    phones: Callable[..., Phone], console: Console, field: Field,
) -> None:
    asset, button = field.sos_button("PCR-KBL-SOS01")
    here = (asset["lat"] + 0.0012, asset["lon"])
    unit_id = field.unit("T-OFFICER-1", asset["lat"] + 0.002, asset["lon"])
    phone = phones(here)
    page = phone.page
    # The access token lives a minute here: the app renews it at 80 % of its life. The first
    # renewal's answer is lost on its way back (the server has spent the token): the app
    # asks again with the same token and attempt key, and stays logged in.
    lost: list[int] = []
    renewed: list[int] = []

    def swallow_first(route: Any) -> None:
        if lost:
            route.continue_()
            return
        lost.append(route.fetch().status)  # it reached the server, which answered ...
        route.abort("connectionreset")  # ... but the phone never hears it

    page.route("**/api/v1/auth/refresh", swallow_first)
    page.on("response", lambda r: renewed.append(r.status)
            if r.url.endswith("/api/v1/auth/refresh") else None)
    phone.login(shot=True)
    assert page.locator("#shift-who").inner_text().startswith("ผู้ใช้:")
    phone.start_shift(unit_id, shot=True)
    assert page.locator("#unit-name").inner_text() == "สายตรวจ T-OFFICER-1"
    assert page.locator("#status-buttons button[data-status=en_route]").is_disabled()
    assert field.get(f"/api/v1/units/{unit_id}")["status"] == "available"
    phone.shot("home-idle", docs=True)

    # An SOS at the market pole; the operator takes it and dispatches the officer's car.
    field.event(button, "sos.press")
    incident = incident_for(field, asset["id"])
    console.open_incident(incident["id"])
    console.page.keyboard.press("a")
    console.sees("#incident[data-state=acknowledged]")
    console.page.click(f"#incident .rec[data-unit='{unit_id}'] button[data-act=dispatch]")
    console.sees("#incident[data-state=dispatched]")

    page.wait_for_selector(f"#incident[data-id='{incident['id']}']:not([hidden])",
                           timeout=DISPATCH_SEEN_MS)
    assert page.locator("#incident-priority").inner_text() == "P1"
    assert page.locator("#incident-state").inner_text() == "สั่งการแล้ว"
    assert page.locator("#incident-nav").get_attribute("href").startswith("geo:")
    assert "สั่งการ" in page.locator("#incident-age").inner_text()
    page.wait_for_selector("#incident-map.leaflet-container .pin-p1")
    page.wait_for_selector("#incident-cameras figure[data-loaded=true] img[src^='blob:']")
    phone.shot("assigned", docs=True)

    phone.tap_status("en_route")
    page.wait_for_selector("#incident[data-state=en_route]", timeout=STEP_SEEN_MS)
    console.sees("#incident[data-state=en_route]")
    console.sees_text("#incident .badge.unit", "กำลังเดินทาง")
    console.shot("en-route")

    phone.tap_status("on_scene")
    page.wait_for_selector("#incident[data-state=on_scene]", timeout=STEP_SEEN_MS)
    assert page.locator("#status-buttons button[data-status=on_scene]").get_attribute(
        "aria-pressed") == "true"
    console.sees("#incident[data-state=on_scene]")
    console.sees_text("#incident .badge.unit", "ถึงที่เกิดเหตุ")

    page.fill("#note-text", "พบผู้แจ้งแล้ว ไม่มีผู้บาดเจ็บ")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#notes li.note:not(.waiting)", timeout=STEP_SEEN_MS)
    console.sees_text("#incident .timeline q", "พบผู้แจ้งแล้ว ไม่มีผู้บาดเจ็บ")
    page.set_input_files("#photo-pick", files=[
        {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.wait_for_selector("#photos figure[data-photo] img[src^='blob:']",
                           timeout=STEP_SEEN_MS)
    photos = timeline(field, incident["id"], "photo")
    assert len(photos) == 1 and photos[0]["username"] == OFFICER
    phone.shot("on-scene", docs=True, show="#incident-cameras")
    console.shot("on-scene")

    phone.tap_status("cleared")
    page.wait_for_selector("#no-incident:not([hidden])", timeout=STEP_SEEN_MS)
    assert page.locator("#unit-status").inner_text() == "ว่าง"
    console.sees("#incident[data-state=cleared]")
    console.shot("cleared")
    assert field.get(f"/api/v1/units/{unit_id}")["status"] == "available"
    states = [e.get("to_state") for e in timeline(field, incident["id"], "transition")]
    assert states[-3:] == ["en_route", "on_scene", "cleared"]

    # The phone's own fixes (every ~12 s) moved the car from where its tracker put it.
    wait_until(lambda: abs(field.get(f"/api/v1/units/{unit_id}")["lat"] - here[0]) < 1e-5,
               within_s=30, why="the phone's position reached the unit")

    # The lost renewal was asked for again and answered: the shift ends with that login.
    # (Playwright's handlers run only inside its own calls, so this waits through the page.)
    if 200 not in renewed:
        page.wait_for_event("response", lambda r: r.url.endswith("/api/v1/auth/refresh")
                            and r.status == 200, timeout=90_000)
    assert lost == [200]
    retried = field.get("/api/v1/audit", action="auth.refresh_retried")["items"]
    assert [r["username"] for r in retried] == ["pcr.patrol"]
    page.click("#shift-end")
    page.click("#end-confirm-yes")
    page.wait_for_selector("body[data-screen=shift]")
    assert field.get(f"/api/v1/units/{unit_id}")["status"] == "off_duty"
    assert not phone.errors


def test_a_dead_spot_queues_actions_and_sends_each_once(
    phones: Callable[..., Phone], field: Field,
) -> None:
    asset, button = field.sos_button("PCR-KBL-SOS02")
    unit_id = field.unit("T-OFFICER-2", asset["lat"] + 0.001, asset["lon"])
    phone = phones((asset["lat"] + 0.0005, asset["lon"]))
    page = phone.page
    phone.login()
    phone.start_shift(unit_id)
    field.event(button, "sos.press")
    incident = incident_for(field, asset["id"])
    answer = field.http.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                             headers=field.admin, json={"unit_id": unit_id})
    assert answer.status_code == 200, answer.text
    page.wait_for_selector(f"#incident[data-id='{incident['id']}']:not([hidden])",
                           timeout=DISPATCH_SEEN_MS)

    # No signal: the note and "on scene" wait on the phone, in order, shown as waiting.
    phone.context.set_offline(True)
    page.wait_for_selector("#offline:not([hidden])")
    phone.tap_status("en_route")
    page.fill("#note-text", "ไม่มีสัญญาณ ส่งภายหลัง")
    page.click("#note-form button[type=submit]")
    phone.tap_status("on_scene")
    page.wait_for_selector("#outbox-badge[data-count='3']")
    assert page.locator("#outbox-badge").inner_text() == "รอส่ง (3)"
    assert page.locator("#unit-pending").inner_text() == "รอส่ง: ถึงแล้ว"
    assert page.locator("#notes li.note.waiting").count() == 1
    phone.shot("offline", docs=True)
    phone.shot("offline-note", show="#notes")
    page.click("#outbox-badge")
    page.wait_for_selector("body[data-screen=outbox] #outbox-list li")
    assert page.locator("#outbox-list li").count() >= 3
    phone.shot("outbox", docs=True)
    # The app closed and opened again in the dead spot: the service worker serves it, the
    # outbox (IndexedDB) still holds the three actions, the last known incident is shown.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")
    page.goto(f"{phone.server.url}/officer")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#outbox-badge[data-count='3']")
    page.wait_for_selector(f"#incident[data-id='{incident['id']}']:not([hidden])")
    assert timeline(field, incident["id"], "note") == []
    assert field.get(f"/api/v1/incidents/{incident['id']}")["state"] == "dispatched"

    # The link returns: everything goes, in order, once.
    phone.context.set_offline(False)
    page.wait_for_selector("#outbox-badge", state="hidden", timeout=STEP_SEEN_MS)
    notes = timeline(field, incident["id"], "note")
    assert [n["text"] for n in notes] == ["ไม่มีสัญญาณ ส่งภายหลัง"]
    detail = field.get(f"/api/v1/incidents/{incident['id']}")
    assert detail["state"] == "on_scene"
    states = [e.get("to_state") for e in detail["timeline"] if e["entry"] == "transition"]
    assert states.count("en_route") == 1 and states.count("on_scene") == 1
    page.click(".tabs a[data-go=home]")
    page.wait_for_selector("#notes li.note:not(.waiting)")
    assert page.locator("#notes li.note.waiting").count() == 0

    # An answer lost on its way back: the server did it, the phone saw nothing and sends
    # again with the same key; the server answers with the first result and does nothing.
    lost: list[int] = []

    def lose_first_answer(route: Any) -> None:
        if not lost:
            lost.append(route.fetch().status)  # reaches the server; its answer is dropped
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/officer/incident/notes", lose_first_answer)
    page.fill("#note-text", "คำตอบหายระหว่างทาง")
    with page.expect_response(lambda r: r.url.endswith("/incident/notes")
                              and r.headers.get("idempotent-replayed") == "true",
                              timeout=STEP_SEEN_MS):
        page.click("#note-form button[type=submit]")
    page.wait_for_selector("#outbox-badge", state="hidden", timeout=STEP_SEEN_MS)
    assert lost == [201]
    texts = [n["text"] for n in timeline(field, incident["id"], "note")]
    assert texts.count("คำตอบหายระหว่างทาง") == 1

    phone.tap_status("cleared")
    page.wait_for_selector("#no-incident:not([hidden])", timeout=STEP_SEEN_MS)
    page.click("#shift-end")
    page.click("#end-confirm-yes")
    page.wait_for_selector("body[data-screen=shift]")


def test_the_officer_sos_opens_a_p1_and_the_trail_follows(
    phones: Callable[..., Phone], field: Field,
) -> None:
    asset = field.asset("PCR-KBL-SOS03")
    start = (asset["lat"] - 0.003, asset["lon"] + 0.001)
    unit_id = field.unit("T-OFFICER-3", *start)
    before = {i["id"] for i in field.get("/api/v1/incidents", kind="officer_in_danger")}
    phone = phones(start)
    page = phone.page
    phone.login()
    phone.start_shift(unit_id)

    # A tap asks first; cancelling sends nothing.
    page.click("#sos")
    page.wait_for_selector("dialog#sos-confirm[open]")
    phone.shot("sos-confirm", docs=True)
    page.click("#sos-confirm-no")
    # The hold: two seconds of a thumb on the button.
    box = page.locator("#sos").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(2300)
    page.mouse.up()
    page.wait_for_selector("body[data-sos=sent]", timeout=STEP_SEEN_MS)
    assert "ศูนย์สั่งการ" in page.locator("#sos-banner-text").inner_text()
    assert page.locator("#sos-banner a[href='tel:191']").is_visible()
    phone.shot("sos-sent", docs=True)
    opened = wait_until(lambda: [i for i in field.get("/api/v1/incidents",
                                                      kind="officer_in_danger")
                                 if i["id"] not in before],
                        within_s=10, why="the officer-in-danger incident")
    assert len(opened) == 1 and opened[0]["priority"] == 1

    # The trail: the officer moves, and the unit follows within seconds (every 3 s now).
    moved = (start[0] + 0.002, start[1])
    phone.context.set_geolocation({"latitude": moved[0], "longitude": moved[1],
                                   "accuracy": 8})
    wait_until(lambda: abs(field.get(f"/api/v1/units/{unit_id}")["lat"] - moved[0]) < 1e-5,
               within_s=15, why="the SOS trail reached the unit")
    page.click("#sos-safe")
    assert page.locator("#sos-banner").is_hidden()
    # The console hears it on the incident's timeline; the incident stays for the operator.
    said = wait_until(lambda: [e for e in field.get(f"/api/v1/incidents/{opened[0]['id']}")
                               ["timeline"] if e["entry"] == "officer_safe"],
                      within_s=15, why="the officer's 'safe' reached the incident")
    assert len(said) == 1

    # The same screen in English.
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("#status-buttons button[data-status=on_scene]").inner_text() == \
        "On scene"
    phone.shot("home-en", docs=True)
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'th'")
