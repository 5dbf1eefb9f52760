"""The People Poll through the API: staff create, open and close waves in their scope; a
citizen answers once per wave (phone token or LINE), never beside their identity; garbage
changes nothing; the figures and their intervals match scipy on known inputs; small samples
are flagged; a wave before the zone's launch is compared with one after."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from scipy import stats
from sqlalchemy import func, inspect, select

from conftest import SECRET
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import BANGKOK as ZONE
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.poll import results
from safetyzone.poll.models import PollBallot, PollResponse
from safetyzone.web.app import create_app
from support.console import fresh_artifacts
from support.line_env import OTHER_USER, LineEnv, line_env
from support.lostdocs import pdf_text
from support.world import World

PUBLIC = "/api/v1/public/polls"
STATION = "/api/v1/stations/ST-A/polls"


def key() -> str:
    return secrets.token_urlsafe(32)


def ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def make_poll(client: TestClient, headers: dict[str, str], clock: ManualClock, *, wave: int = 1,
              start: datetime | None = None, days: int = 30, launch: date | None = None,
              **extra: Any) -> dict[str, Any]:
    opens = start or clock.now()
    body = {"zone_code": "Z-ST-A", "wave": wave, "wave_name": f"รอบ {wave}",
            "opens_at": opens.isoformat(), "closes_at": (opens + timedelta(days=days)).isoformat(),
            "zone_launch_on": launch.isoformat() if launch else None, **extra}
    made = ok(client.post(STATION, headers=headers, json=body), 201)
    assert made["status"] == "draft"
    return made


def opened(client: TestClient, headers: dict[str, str], clock: ManualClock,
           **kw: Any) -> dict[str, Any]:
    made = make_poll(client, headers, clock, **kw)
    return ok(client.post(f"/api/v1/polls/{made['code']}/open", headers=headers))


def answer(client: TestClient, code: str, token: str, answers: dict[str, Any]) -> Any:
    return client.post(f"{PUBLIC}/{code}/responses", headers={"X-Caller-Key": token},
                       json={"answers": answers})


def counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(PollResponse)) or 0,
                s.scalar(select(func.count()).select_from(PollBallot)) or 0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Many answers come from the test's one address: a generous public write rate here
    (the throttle itself is checked below)."""
    return Settings(environment="test", data_dir=tmp_path, secret_key=SECRET,
                    citizen_write_per_minute=10_000, citizen_read_per_minute=10_000)


@pytest.fixture
def admin(client: TestClient, world: World) -> dict[str, str]:
    return world.headers(client, "admin")


def test_one_response_per_person_per_wave(client: TestClient, admin: dict[str, str],
                                          clock: ManualClock, db: Database,
                                          world: World) -> None:
    poll = opened(client, admin, clock)
    shown = ok(client.get(f"{PUBLIC}/{poll['code']}"))
    assert shown["accepting"] and [i["key"] for i in shown["items"]][:4] == [
        "safe_dark", "worry_burglary", "confidence_police", "needs"]
    assert shown["items"][0]["th"].startswith("ท่านรู้สึกปลอดภัย")
    token = key()
    done = ok(answer(client, poll["code"], token, {"safe_dark": 2, "needs": ["cctv", "lighting"]}),
              201)
    assert done["thanks_th"]
    again = answer(client, poll["code"], token, {"safe_dark": 5})
    assert again.status_code == 409 and "already answered" in again.text
    assert counts(db) == (1, 1)
    ok(answer(client, poll["code"], key(), {"safe_dark": 5}), 201)  # somebody else
    # The same person answers the zone's next wave: a new ballot.
    clock.advance(timedelta(days=31))
    later = opened(client, world.headers(client, "admin"), clock, wave=2)
    ok(answer(client, later["code"], token, {"confidence_police": 4}), 201)
    assert counts(db) == (3, 3)


def test_answers_cannot_be_joined_to_a_ballot(client: TestClient, admin: dict[str, str],
                                              clock: ManualClock, db: Database) -> None:
    with db.read() as s:
        insp = inspect(s.get_bind())
        answer_cols = {c["name"] for c in insp.get_columns("poll_response")}
        ballot_cols = {c["name"] for c in insp.get_columns("poll_ballot")}
        answer_fks = insp.get_foreign_keys("poll_response")
        ballot_fks = insp.get_foreign_keys("poll_ballot")
    assert answer_cols == {"id", "poll_id", "answers"}  # no person, no time, no ballot
    assert ballot_cols == {"poll_id", "digest"}  # no answer, no time
    assert {fk["referred_table"] for fk in answer_fks + ballot_fks} == {"poll"}
    poll = opened(client, admin, clock)
    token = key()
    ok(answer(client, poll["code"], token, {"safe_dark": 3}), 201)
    with db.read() as s:
        (ballot,) = s.scalars(select(PollBallot)).all()
        (response,) = s.scalars(select(PollResponse)).all()
    assert token not in ballot.digest and re.fullmatch(r"[0-9a-f]{64}", ballot.digest)
    assert str(response.id) not in ballot.digest and response.answers == {"safe_dark": 3}


def test_line_users_answer_once_per_wave(db: Database, settings: Settings, world: World) -> None:
    with line_env(db, settings, world) as env:
        poll = opened(env.client, env.admin, env.clock)
        links = []
        for words in ("แบบสอบถาม", " Poll "):
            env.post(env.text(words))
            links.append(env.replies()[-1].rsplit("\n", 1)[-1])
        env.post(env.postback("action=poll"))
        links.append(env.replies()[-1].rsplit("\n", 1)[-1])
        env.post(env.text("แบบสอบถาม", user=OTHER_USER))
        other = env.replies()[-1].rsplit("\n", 1)[-1]
        _line_checks(env, poll, links, other)


def _line_checks(env: LineEnv, poll: dict[str, Any], links: list[str], other: str) -> None:
    assert "ไม่ระบุตัวตน" in env.replies()[0]
    match = re.fullmatch(r"https://ssz\.example\.go\.th/citizen/poll\?station=ST-A&k=(\S+)",
                         links[0])
    assert match and len(set(links)) == 1  # the same key on every ask
    assert other != links[0]
    listed = ok(env.client.get(PUBLIC, params={"station": "ST-A"}))
    assert [p["code"] for p in listed] == [poll["code"]]
    token = match.group(1)
    ok(answer(env.client, poll["code"], token, {"confidence_police": 5}), 201)
    assert answer(env.client, poll["code"], token, {"safe_dark": 1}).status_code == 409
    other_token = other.rsplit("k=", 1)[1]
    ok(answer(env.client, poll["code"], other_token, {"safe_dark": 1}), 201)
    with env.db.read() as s:
        kept = [b.digest for b in s.scalars(select(PollBallot))]
    assert all(user not in d for d in kept for user in ("U111", "U222"))


@pytest.mark.parametrize("bad", [
    {"safe_dark": 6}, {"safe_dark": 0}, {"safe_dark": "4"}, {"safe_dark": 2.5},
    {"safe_dark": True}, {"nope": 3}, {"needs": ["lighting", "lighting"]},
    {"needs": ["jetpacks"]}, {"needs": []}, {"needs": 3}, {"safe_dark": ["cctv"]}, {},
    {f"k{i:02d}": 3 for i in range(13)}, {"safe_dark": 3, "note": "<script>"},
])
def test_garbage_answers_change_nothing(client: TestClient, admin: dict[str, str],
                                        clock: ManualClock, db: Database,
                                        bad: dict[str, Any]) -> None:
    poll = opened(client, admin, clock)
    token = key()
    assert answer(client, poll["code"], token, bad).status_code == 422
    assert counts(db) == (0, 0)
    ok(answer(client, poll["code"], token, {"safe_dark": 4}), 201)  # the token is not spent


def test_bad_tokens_codes_and_windows_are_refused(client: TestClient, admin: dict[str, str],
                                                  clock: ManualClock, db: Database,
                                                  world: World) -> None:
    draft = make_poll(client, admin, clock, start=clock.now() + timedelta(days=1))
    assert client.get(f"{PUBLIC}/{draft['code']}").status_code == 404  # drafts look missing
    assert answer(client, draft["code"], key(), {"safe_dark": 3}).status_code == 404
    ok(client.post(f"/api/v1/polls/{draft['code']}/open", headers=admin))
    early = answer(client, draft["code"], key(), {"safe_dark": 3})
    assert early.status_code == 409  # not open yet
    assert answer(client, draft["code"], "short", {"safe_dark": 3}).status_code == 422
    assert client.post(f"{PUBLIC}/{draft['code']}/responses",
                       json={"answers": {"safe_dark": 3}}).status_code == 422
    assert answer(client, "P-00000000", key(), {"safe_dark": 3}).status_code == 404
    big = client.post(f"{PUBLIC}/{draft['code']}/responses",
                      headers={"X-Caller-Key": key(), "Content-Type": "application/json"},
                      content=b'{"answers": {"safe_dark": 3, "x": "' + b"a" * 2_000_000 + b'"}}')
    assert big.status_code in (413, 422)
    clock.advance(timedelta(days=2))
    ok(answer(client, draft["code"], key(), {"safe_dark": 3}), 201)
    ok(client.post(f"/api/v1/polls/{draft['code']}/close",
                   headers=world.headers(client, "admin")))
    assert answer(client, draft["code"], key(), {"safe_dark": 3}).status_code == 409
    assert counts(db) == (1, 1)


def test_staff_create_open_close_in_scope_and_audited(client: TestClient, world: World,
                                                      admin: dict[str, str], clock: ManualClock,
                                                      db: Database) -> None:
    commander = world.headers(client, "a.commander")
    operator = world.headers(client, "a.operator")
    other = world.headers(client, "b.operator")
    body = {"zone_code": "Z-ST-A", "wave": 1, "wave_name": "x",
            "opens_at": clock.now().isoformat(),
            "closes_at": (clock.now() + timedelta(days=5)).isoformat()}
    assert client.post(STATION, headers=operator, json=body).status_code == 403
    made = ok(client.post(STATION, headers=commander, json=body), 201)
    assert client.post(STATION, headers=commander, json=body).status_code == 409  # same wave
    assert client.post(STATION, headers=commander, json={
        **body, "wave": 2, "zone_code": "Z-ST-B"}).status_code in (404, 422)
    assert client.post(STATION, headers=commander, json={
        **body, "wave": 3, "closes_at": body["opens_at"]}).status_code == 422
    assert client.post(STATION, headers=commander, json={
        **body, "wave": 4, "custom_items": [{"key": "safe_dark", "th": "ซ้ำ", "en": "dup"}]
    }).status_code == 422
    code = made["code"]
    assert [p["code"] for p in ok(client.get(STATION, headers=operator))] == [code]
    assert client.get("/api/v1/stations/ST-A/polls", headers=other).status_code == 404
    assert client.get(f"/api/v1/polls/{code}/results", headers=other).status_code == 404
    assert client.post(f"/api/v1/polls/{code}/open", headers=other).status_code in (403, 404)
    ok(client.post(f"/api/v1/polls/{code}/open", headers=commander))
    assert client.post(f"/api/v1/polls/{code}/open", headers=commander).status_code == 409
    ok(client.post(f"/api/v1/polls/{code}/close", headers=commander))
    qr = client.get(f"/api/v1/polls/{code}/qr.png", headers=operator)
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    with db.read() as s:
        acts = [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.entity == "poll").order_by(AuditEntry.id))]
    assert acts == ["poll.create", "poll.open", "poll.close"]


def _fill(client: TestClient, code: str, values: list[int], key_name: str = "safe_dark",
          needs: list[list[str]] | None = None) -> None:
    for i, v in enumerate(values):
        body: dict[str, Any] = {key_name: v}
        if needs and i < len(needs):
            body["needs"] = needs[i]
        ok(answer(client, code, key(), body), 201)


def test_results_match_scipy_on_known_answers(client: TestClient, admin: dict[str, str],
                                              clock: ManualClock) -> None:
    poll = opened(client, admin, clock)
    values = [1] * 12 + [2] * 8 + [3] * 10 + [4] * 6 + [5] * 4  # 40 people, 20 feel unsafe
    _fill(client, poll["code"], values, needs=[["lighting"]] * 10 + [["cctv", "lighting"]] * 5)
    got = ok(client.get(f"/api/v1/polls/{poll['code']}/results", headers=admin))
    assert got["responses"] == 40
    safe = got["likert"][0]
    assert safe["key"] == "safe_dark" and safe["n"] == 40 and safe["counts"] == [12, 8, 10, 6, 4]
    assert safe["share"] == pytest.approx(0.5) and got["fear_of_crime"] == pytest.approx(0.5)
    ci = stats.binomtest(20, 40).proportion_ci(method="wilson")
    assert (safe["share_ci"]["low"], safe["share_ci"]["high"]) == pytest.approx((ci.low, ci.high))
    assert safe["share_ci"]["low"] == pytest.approx(0.3519, abs=1e-4)  # Wilson, by hand
    mean = sum(values) / 40
    low, high = stats.t.interval(0.95, 39, loc=mean, scale=stats.sem(values))
    assert safe["mean"] == pytest.approx(2.55)
    assert (safe["mean_ci"]["low"], safe["mean_ci"]["high"]) == pytest.approx((low, high))
    assert safe["warnings"] == ["wide_interval"]  # 40 answered, but ±15 points
    assert got["likert"][1]["n"] == 0 and got["likert"][1]["warnings"] == ["small_sample"]
    assert [n["key"] for n in got["needs"]][:2] == ["lighting", "cctv"]
    assert got["needs_n"] == 15 and got["needs"][0]["count"] == 15
    csv = client.get(f"/api/v1/polls/{poll['code']}/results.csv", headers=admin)
    assert csv.status_code == 200 and csv.text.startswith("\ufeffstation,zone,wave")
    assert "safe_dark,Fear of crime (feel unsafe),40,2.55" in csv.text


def test_a_small_sample_is_flagged(client: TestClient, admin: dict[str, str],
                                   clock: ManualClock) -> None:
    poll = opened(client, admin, clock)
    _fill(client, poll["code"], [1, 2, 5, 4, 4])
    got = ok(client.get(f"/api/v1/polls/{poll['code']}/results", headers=admin))
    assert set(got["likert"][0]["warnings"]) == {"small_sample", "wide_interval"}
    assert "small_sample" in got["warnings"]


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, table II example (a): 56/70 - 48/80.
    ci = results.newcombe(48, 80, 56, 70)
    assert ci is not None
    assert (ci.low, ci.high) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_before_and_after_the_zone_launch(client: TestClient, admin: dict[str, str],
                                          clock: ManualClock, world: World) -> None:
    launch = (clock.now() + timedelta(days=40)).date()
    before = opened(client, admin, clock, wave=1, days=30, launch=launch)
    _fill(client, before["code"], [1] * 48 + [4] * 32)  # 60 % feel unsafe (n=80)
    clock.advance(timedelta(days=60))
    admin = world.headers(client, "admin")
    after = opened(client, admin, clock, wave=2, days=30, launch=launch)
    _fill(client, after["code"], [2] * 21 + [5] * 49)  # 30 % (n=70)
    got = ok(client.get(f"/api/v1/polls/{after['code']}/before-after", headers=admin))
    assert got["before"]["code"] == before["code"] and got["after"]["code"] == after["code"]
    (fear,) = [c for c in got["changes"] if c["key"] == "safe_dark"]
    assert fear["before"] == pytest.approx(0.6) and fear["after"] == pytest.approx(0.3)
    assert fear["difference"] == pytest.approx(-0.3)
    expected = results.newcombe(48, 80, 21, 70)
    assert expected is not None and fear["difference_ci"]["high"] < 0
    assert fear["difference_ci"]["low"] == pytest.approx(expected.low)
    same = ok(client.get(f"/api/v1/polls/{before['code']}/before-after", headers=admin))
    assert same["after"]["code"] == after["code"]
    alone = opened(client, admin, clock, wave=3)
    lone = ok(client.get(f"/api/v1/polls/{alone['code']}/before-after", headers=admin))
    assert lone["changes"] == [] and lone["warnings"] == ["no_launch_date"]



def test_answers_are_throttled_per_address(db: Database, settings: Settings, world: World,
                                           clock: ManualClock) -> None:
    tight = settings.model_copy(update={"citizen_write_per_minute": 2})
    with TestClient(create_app(tight, db, clock)) as client:
        poll = opened(client, world.headers(client, "admin"), clock)
        ok(answer(client, poll["code"], key(), {"safe_dark": 3}), 201)
        ok(answer(client, poll["code"], key(), {"safe_dark": 3}), 201)
        refused = answer(client, poll["code"], key(), {"safe_dark": 3})
        assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert counts(db) == (2, 2)


def test_the_poster_prints_the_qr_link_closing_day_and_what_is_kept(
        client: TestClient, world: World, admin: dict[str, str], clock: ManualClock) -> None:
    """What a station puts up in the zone: the QR a phone scans (read back off the rendered
    page) is the poll's link, the closing day in the Buddhist Era, the privacy promise."""
    poll = opened(client, admin, clock)
    other = world.headers(client, "b.operator")
    assert client.get(f"/api/v1/polls/{poll['code']}/poster.pdf", headers=other
                      ).status_code == 404
    response = client.get(f"/api/v1/polls/{poll['code']}/poster.pdf",
                          headers=world.headers(client, "a.operator"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "คุณรู้สึกปลอดภัยแค่ไหน" in text and "ไม่ถามชื่อ" in text
    closes = datetime.fromisoformat(poll["closes_at"])
    assert str(closes.astimezone(ZONE).year + 543) in text
    assert poll["link"] in text.replace("\r", "").replace("\n", "")
    document = pdfium.PdfDocument(response.content)
    try:
        assert len(document) == 1  # one A4 sheet
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    image.save(fresh_artifacts("poll") / "poster.png")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [poll["link"]]
