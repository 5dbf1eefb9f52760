"""The station services on the officer's phone (390x844) against a real server with the demo.

(a) Home watch (ฝากบ้าน 4.0): a resident's request, approved, is a target of the unit's plan;
the plan's target leads to the house (address, dates, notes, the owner's photo, the map); a
visit logged with the link cut waits in the outbox and reaches the server once, its photo
after it; a visit far from the house is refused with the reason in Thai; a problem found
opens an incident whose reference the phone shows; the owner's page shows the visits.

(b) A volunteer (ตำรวจจิตอาสา) logs into the same app and gets the post desk instead of the
shift: the post closed (why, in Thai), then open; a citizen's report taken there reaches the
console's citizen items; a consultation booked there; out of hours the desk says so in Thai.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from safetyzone.core.clock import BANGKOK
from safetyzone.services.homewatch_texts import CONSENT_VERSION
from support.console import Field, Server
from support.officer_app import STEP_SEEN_MS, Phone, jpeg

PUBLIC = "/api/v1/public/home-watch"
PHITSANULOK = "PPR6-MUEANG-PHITSANULOK"
VOLUNTEER = "plk.volunteer"


def watched_house(field: Field, at: tuple[float, float]) -> tuple[dict[str, Any], str]:
    """A request made on the public route, its photo, approved by the station: (request, key)."""
    key = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    made = field.http.post(PUBLIC, json={
        "client_key": key, "address": "99/1 ซอยเพชรเกษม 48 แขวงบางหว้า",
        "location": {"lat": at[0], "lon": at[1], "accuracy_m": 10},
        "away_from": now.isoformat(), "away_until": (now + timedelta(days=3)).isoformat(),
        "contacts": [{"name": "สมศรี ใจดี", "phone": "081-234-5678", "relation": "ลูก"}],
        "notes": "เปิดไฟหน้าบ้านตั้งเวลาไว้ มีสุนัขในบ้าน",
        "consent": {"accepted": True, "version": CONSENT_VERSION}})
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    photo = field.http.post(f"{PUBLIC}/{code}/photos", headers={"X-Caller-Key": key},
                            files={"file": ("house.jpg", jpeg(), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    (request,) = [r for r in field.get("/api/v1/home-watch", station_code=field.station)
                  if r["code"] == code]
    approved = field.http.post(f"/api/v1/home-watch/{request['id']}/approve",
                               headers=field.admin)
    assert approved.status_code == 200, approved.text
    return request, key


def log_visit(page: Any, request_id: str, finding: str, note: str,
              photo: bytes | None = None) -> None:
    form = page.locator(f"form.hw-form[data-house='{request_id}']")
    form.locator(f"label.finding.f-{finding}").click()
    form.locator("textarea[name=note]").fill(note)
    if photo:
        form.locator("input[name=photo]").set_input_files(files=[
            {"name": "gate.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    form.locator("button[type=submit]").click()


def test_home_watch_visits_from_the_phone_reach_the_owner(phones: Callable[..., Phone],
                                                          field: Field) -> None:
    pole = field.asset("PCR-KBL-SOS01")
    house = (pole["lat"] + 0.0009, pole["lon"] - 0.0007)
    request, key = watched_house(field, house)
    unit_id = field.unit("T-HOMEWATCH-1", house[0] + 0.001, house[1])
    now = datetime.now(UTC)
    plan = field.http.post("/api/v1/patrol/plans", headers=field.admin, json={
        "station_code": field.station, "name": "เวรบ่าย ภาษีเจริญ",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=7)).isoformat(), "unit_ids": [unit_id],
        "auto": True})
    assert plan.status_code == 201, plan.text

    phone = phones(house)
    page = phone.page
    phone.login()
    phone.start_shift(unit_id)
    # The plan names the house by its code only; its target leads to the house's card.
    page.click(".tabs a[data-go=plan]")
    target = page.locator("#plan-list li[data-kind=home_watch]")
    target.wait_for()
    assert request["code"] in target.inner_text()
    target.locator("a[data-go=homewatch]").click()
    page.wait_for_selector("body[data-screen=homewatch]")
    card = page.locator(f"#hw-list li.house.focus[data-id='{request['id']}']")
    card.wait_for()
    text = card.inner_text()
    assert "99/1 ซอยเพชรเกษม 48" in text and "มีสุนัขในบ้าน" in text and "สมศรี ใจดี (ลูก)" in text
    assert f"{datetime.now(BANGKOK).year + 543}" in text  # the dates in the Buddhist Era
    card.locator(".thumbs img[src^='blob:']").wait_for()
    page.wait_for_selector("#hw-map .pin-home")
    assert card.locator("a.call").get_attribute("href") == "tel:0812345678"
    phone.shot("homewatch", docs=True)

    # No signal at the house: the visit and its photo wait on the phone.
    phone.context.set_offline(True)
    page.wait_for_selector("#offline:not([hidden])")
    log_visit(page, request["id"], "normal", "ประตูรั้วล็อกเรียบร้อย", jpeg())
    page.wait_for_selector("#outbox-badge[data-count='1']")
    card.locator("li.hw-visit.waiting").wait_for()
    phone.shot("homewatch-offline", show=f"#hw-list li.house[data-id='{request['id']}'] form")
    owner = field.http.get(f"{PUBLIC}/{request['code']}", headers={"X-Caller-Key": key})
    assert owner.json()["visits"] == []

    # The link returns: the visit goes once, then its photo.
    phone.context.set_offline(False)
    card.locator("li.hw-visit.accepted .photo-state.sent").wait_for(timeout=STEP_SEEN_MS)
    page.wait_for_selector("#outbox-badge", state="hidden", timeout=STEP_SEEN_MS)
    assert "ห่างบ้าน" in card.locator("li.hw-visit.accepted").first.inner_text()

    # Away from the house: refused, and the phone says why in Thai.
    phone.context.set_geolocation({"latitude": house[0] + 0.01, "longitude": house[1],
                                   "accuracy": 8})
    page.wait_for_timeout(1000)  # the phone's watch sees the new place
    log_visit(page, request["id"], "normal", "ผ่านหน้าบ้าน")
    refused = card.locator("li.hw-visit.refused[data-reason=too_far]")
    refused.wait_for(timeout=STEP_SEEN_MS)
    assert "อยู่ไกลบ้านเกินไป" in refused.inner_text()
    assert "อยู่ห่างจากบ้านที่ฝากไว้" in refused.inner_text()

    # Back at the house, something is wrong: the server opens an incident; its reference shows.
    phone.context.set_geolocation({"latitude": house[0], "longitude": house[1],
                                   "accuracy": 8})
    page.wait_for_timeout(1000)
    log_visit(page, request["id"], "problem", "ประตูหลังบ้านถูกงัด")
    card.locator("li.hw-visit.accepted .incident-ref").wait_for(timeout=STEP_SEEN_MS)
    phone.shot("homewatch-visits", docs=True,
               show=f"#hw-list li.house[data-id='{request['id']}'] .hw-visits")
    visits = field.get(f"/api/v1/home-watch/{request['id']}")["visits"]
    assert [(v["finding"], v["username"]) for v in sorted(visits, key=lambda v: v["at"])] == [
        ("normal", "pcr.patrol"), ("problem", "pcr.patrol")]
    incident_id = next(v["incident_id"] for v in visits if v["finding"] == "problem")
    assert incident_id[:8].upper() in card.locator(".incident-ref").first.inner_text()
    assert field.get(f"/api/v1/incidents/{incident_id}")["kind"] == "home_watch_problem"
    page.click("#lang-switch")  # the same answers in English
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    card.locator("li.hw-visit.refused", has_text="Too far from the house").wait_for()
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'th'")

    # The owner's page shows both visits, the first with the officer's photo.
    owner = field.http.get(f"{PUBLIC}/{request['code']}", headers={"X-Caller-Key": key})
    assert owner.status_code == 200, owner.text
    seen = sorted(owner.json()["visits"], key=lambda v: v["at"])
    assert [(v["finding"], v["note"], v["photo"]) for v in seen] == [
        ("normal", "ประตูรั้วล็อกเรียบร้อย", True), ("problem", "ประตูหลังบ้านถูกงัด", False)]
    page.click(".tabs a[data-go=home]")
    page.click("#shift-end")
    page.click("#end-confirm-yes")
    page.wait_for_selector("body[data-screen=shift]")


def set_hours(field: Field, post_id: str, days: list[int]) -> None:
    answer = field.http.put(f"/api/v1/posts/{post_id}/hours", headers=field.admin, json={
        "hours": [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in days]})
    assert answer.status_code == 200, answer.text


def test_a_volunteer_takes_a_report_at_the_post(phones: Callable[..., Phone],
                                                server: Server) -> None:
    today = datetime.now(BANGKOK).weekday()
    with Field(server.url, PHITSANULOK) as field:
        (post,) = [p for p in field.get("/api/v1/posts", station_code=PHITSANULOK)
                   if p["kind"] == "volunteer_post"]
        set_hours(field, post["id"], [(today + 1) % 7])  # open tomorrow only: closed now
        phone = phones((post["lat"], post["lon"]))
        page = phone.page
        phone.open()
        page.fill("#username", VOLUNTEER)
        page.fill("#password", "console-test-password")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("body[data-screen=posts] #post-list .unit-card[data-open=false]")
        assert page.locator("nav.tabs").is_hidden()
        assert "จุดบริการปิดอยู่ในขณะนี้" in page.locator("#post-list").inner_text()
        assert page.locator("#post-desk").is_hidden()
        phone.shot("post-closed")

        set_hours(field, post["id"], list(range(7)))
        page.reload()
        page.wait_for_selector("#post-desk:not([hidden]) #post-categories input")
        form = page.locator("#post-report-form")
        form.locator("label.chip", has_text="ลักทรัพย์").click()
        form.locator("textarea[name=description]").fill("รถจักรยานยนต์หายหน้าตลาด เมื่อ 10 นาทีก่อน")
        form.locator("input[name=name]").fill("สมชาย รักดี")
        form.locator("input[name=phone]").fill("08x")
        form.locator("button[type=submit]").click()
        assert form.locator(".error").inner_text() == "เบอร์โทรไม่ถูกต้อง"
        form.locator("input[name=phone]").fill("089-123-4567")
        form.locator("button[type=submit]").click()
        assert form.locator(".error").inner_text() == "โปรดอ่านและขอความยินยอมก่อนส่ง"
        form.locator("label.check").click()
        form.locator("button[type=submit]").click()
        code = page.locator("#post-result .code-big").inner_text(timeout=STEP_SEEN_MS)
        assert code.startswith("R-")
        page.wait_for_selector(f"#taken-list li[data-code='{code}']")
        phone.shot("post-report", docs=True)
        # On the console's side: a citizen item of the station, taken at the post.
        (item,) = [i for i in field.get("/api/v1/citizen/items", station=PHITSANULOK)
                   if i["code"] == code]
        assert (item["channel"], item["kind"], item["category"]) == ("post", "report", "theft")
        assert (item["lat"], item["lon"]) == (post["lat"], post["lon"])

        # A consultation booked at the post, into the station's free times.
        page.click("#desk-consult summary")
        consult = page.locator("#post-consult-form")
        consult.locator("#post-slots label.chip").first.click()
        consult.locator("select[name=topic]").select_option("civil_debt")
        consult.locator("input[name=name]").fill("สมชาย รักดี")
        consult.locator("input[name=phone]").fill("089-123-4567")
        consult.locator("label.check").click()
        consult.locator("button[type=submit]").click()
        booked = page.locator("#post-result .code-big").filter(has_text="C-")
        assert booked.inner_text(timeout=STEP_SEEN_MS).startswith("C-")

        # The post closes while the desk is open: the refusal is the server's, in Thai.
        # The app's 10 s poll of its posts is held meanwhile, so that the server, not a
        # poll that saw the closing first, is what closes the desk.
        held: list[Any] = []
        page.route("**/api/v1/posts/mine", lambda route: held.append(route))
        form.locator("label.chip", has_text="ลักทรัพย์").click()
        form.locator("textarea[name=description]").fill("อีกเรื่องหนึ่ง")
        form.locator("label.check").click()
        set_hours(field, post["id"], [(today + 1) % 7])
        with page.expect_response(lambda r: r.url.endswith("/reports")) as refused:
            form.locator("button[type=submit]").click()
        assert refused.value.status == 409
        page.unroute("**/api/v1/posts/mine")
        for route in held:
            route.continue_()
        page.wait_for_selector("#post-desk", state="hidden", timeout=STEP_SEEN_MS)
        assert "จุดบริการปิดอยู่ในขณะนี้" in page.locator("#posts-error").inner_text()
        phone.shot("post-refused")
        taken = field.get("/api/v1/citizen/items", station=PHITSANULOK)
        assert [i["code"] for i in taken if i["channel"] == "post"] == [code]
