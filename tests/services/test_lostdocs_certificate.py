"""The certificate: its Thai reads back exactly from the PDF, its QR (read off the rendered
page) opens the verify page, which answers valid, revoked or unknown with a masked name
only, and refuses a tampered or forged QR. Anyone can check the signature offline."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from PIL import Image

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.services import lostdocs
from safetyzone.services.lostdocs_signing import CertificateSigner, Claim
from support.citizen import new_key
from support.lostdocs import PUBLIC, STATION, Counter, declaration, pdf_text, thai_id
from support.world import World

ID = thai_id(21)
ID_PRINTED = f"{ID[0]}-{ID[1:5]}-{ID[5:10]}-{ID[10:12]}-{ID[12]}"


@pytest.fixture
def desk(client: TestClient, world: World) -> Counter:
    return Counter(client, world)


def _certificate(desk: Counter, key: str, code: str) -> bytes:
    response = desk.client.get(f"{PUBLIC}/{code}/certificate.pdf",
                               headers={"X-Caller-Key": key})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    return response.content


def _page(pdf: bytes, scale: float = 2) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[0].render(scale=scale).to_pil()
        return image
    finally:
        document.close()


def _scanned(pdf: bytes) -> str:
    [found] = zxingcpp.read_barcodes(_page(pdf))
    return str(found.text)


def _issued(desk: Counter, **extra: object) -> tuple[str, str, bytes]:
    key = new_key()
    code = desk.declare(declaration(key, national_id=ID, **extra))["code"]
    return key, code, _certificate(desk, key, code)


def _verify_path(url: str, settings: Settings) -> str:
    assert url.startswith(f"{settings.services_public_url}/lostdocs/verify?")
    return url[len(settings.services_public_url):]


def test_the_certificates_thai_reads_back_exactly(desk: Counter, tmp_path: Path,
                                                  settings: Settings) -> None:
    _, code, pdf = _issued(desk, items=[
        {"kind": "id_card"}, {"kind": "bank_book", "detail": "ธนาคารกรุงไทย สาขาท่าน้ำนนท์"},
        {"kind": "vehicle_registration", "detail": "กข 1234 กรุงเทพมหานคร"},
        {"kind": "other", "detail": "ใบขับขี่เรือ <b>ค่ำ</b> & น้ำ"}])
    text = pdf_text(pdf)
    lines = {line.strip() for line in text.splitlines()}
    # Words that break with a careless Thai pipeline: SARA AM with and without a tone mark
    # (น้ำ, ค่ำ, ตำรวจ), stacked marks (ผู้ใหญ่), leading vowels, lower vowels.
    for expected in (
        "หน่วย ST-A",
        "ใบรับแจ้งเอกสารหาย",
        "Lost document report certificate",
        "เลขที่รับแจ้ง 1/2569 · Record no. ST-A/1/2569",
        "นางสาวน้ำฝน ผู้ใหญ่ยิ่ง",
        ID_PRINTED,
        "081-234-5678",
        "บัตรประจำตัวประชาชน",
        "สมุดบัญชีเงินฝากธนาคาร (ธนาคารกรุงไทย สาขาท่าน้ำนนท์)",
        "สมุดคู่มือจดทะเบียนรถ (กข 1234 กรุงเทพมหานคร)",
        "เอกสารอื่น (ใบขับขี่เรือ <b>ค่ำ</b> & น้ำ)",  # data stays text
        "Other document (ใบขับขี่เรือ <b>ค่ำ</b> & น้ำ)",
        "31 ธันวาคม 2568 เวลาประมาณ 18:30 น.",
        "ตลาดน้ำตลิ่งชัน ใกล้ท่าเรือ",
        "กระเป๋าสตางค์ตกหายระหว่างเดินซื้อของ",
        "1 มกราคม 2569 เวลา 07:00 น.",  # the test clock, 07:00 in Bangkok, B.E. 2569
        "ออกโดยระบบอัตโนมัติ",
        "Issued automatically",
        "สแกนเพื่อตรวจสอบความถูกต้อง · Scan to verify",
    ):
        assert expected in lines, expected
    assert "ผู้แจ้งได้แจ้งต่อเจ้าหน้าที่ตำรวจว่าเอกสารข้างต้นได้สูญหาย" in text
    # No stray replacement characters or dotted circles (a mark without its base).
    assert "\ufffd" not in text and "\u25cc" not in text
    image = _page(pdf, scale=1.5)
    image.save(tmp_path / "certificate.png")
    # Rendered: mostly white paper with dark text on it, not an empty page.
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128])
    assert 0.01 < dark / (grey.width * grey.height) < 0.3
    url = _scanned(pdf)
    query = parse_qs(urlsplit(url).query)
    assert query["c"] == [code] and query["r"] == ["ST-A/1/2569"]
    assert query["d"] == ["2026-01-01"] and query["v"] == ["1"]
    # Printed under the QR too, to check by hand; one page.
    assert f"{settings.services_public_url}/lostdocs/verify" in lines
    assert f"รหัส · Code {code}" in lines
    assert text.count("SafetyZone · ใบรับแจ้งเอกสารหาย") == 1


def test_a_reviewed_certificate_names_its_officer(desk: Counter) -> None:
    desk.set_auto(False)
    key = new_key()
    code = desk.declare(declaration(key, national_id=ID))["code"]
    row = desk.find(code)
    assert desk.client.post(f"{STATION}/{row['id']}/issue",
                            headers=desk.headers("a.operator")).status_code == 200
    lines = {line.strip() for line in pdf_text(_certificate(desk, key, code)).splitlines()}
    assert "a.operator" in lines
    assert "ออกโดยระบบอัตโนมัติ" not in lines
    # The station prints the same certificate at the counter; the print is audited.
    printed = desk.client.get(f"{STATION}/{row['id']}/certificate.pdf",
                              headers=desk.headers("a.operator"))
    assert printed.status_code == 200
    assert "a.operator" in pdf_text(printed.content)
    assert desk.client.get(f"{STATION}/{row['id']}/certificate.pdf",
                           headers=desk.headers("b.operator")).status_code == 404
    audit = desk.client.get("/api/v1/audit", params={"action": "lostdoc.print"},
                            headers=desk.headers("admin")).json()["items"]
    assert [a["username"] for a in audit] == ["a.operator"]


def test_the_scanned_qr_verifies_valid_then_revoked(desk: Counter, settings: Settings) -> None:
    _, code, pdf = _issued(desk)
    path = _verify_path(_scanned(pdf), settings)
    page = desk.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'data-result="valid"' in html
    assert "ถูกต้อง" in html and "น*** ผ***" in html
    assert "บัตรประจำตัวประชาชน" in html and "1 มกราคม 2569" in html
    # Nothing more than a verification needs: no full name, ID or phone.
    for secret in ("น้ำฝน", "ผู้ใหญ่ยิ่ง", ID, ID_PRINTED, "081-234-5678", "ตลาดน้ำ"):
        assert secret not in html, secret
    # The strict policy holds: no inline script or style, not even as an attribute.
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html, re.IGNORECASE)
    assert desk.client.get("/lostdocs/verify.css").status_code == 200
    answer = desk.client.get(f"{PUBLIC}/verify?{urlsplit(path).query}").json()
    assert answer["result"] == "valid" and answer["masked_name"] == "น*** ผ***"
    assert answer["items"][0]["kind"] == "id_card"
    assert set(answer) == {"result", "code", "record_no", "issued_on", "issued_on_th",
                           "station", "items", "masked_name", "revoked_on", "revoked_on_th"}
    row = desk.find(code)
    assert desk.client.post(f"{STATION}/{row['id']}/revoke", json={"reason": "พบเอกสารแล้ว"},
                            headers=desk.headers("a.operator")).status_code == 200
    page = desk.client.get(path)
    assert page.status_code == 200
    assert 'data-result="revoked"' in page.text and "ถูกยกเลิกแล้ว" in page.text
    assert "พบเอกสารแล้ว" not in page.text  # the reason is the citizen's and the station's
    answer = desk.client.get(f"{PUBLIC}/verify?{urlsplit(path).query}").json()
    assert answer["result"] == "revoked" and answer["revoked_on"] == "2026-01-01"


def test_a_forgotten_certificate_verifies_unknown(desk: Counter, db: Database,
                                                  clock: ManualClock,
                                                  settings: Settings) -> None:
    _, _, pdf = _issued(desk)
    path = _verify_path(_scanned(pdf), settings)
    with db.write() as session:
        assert lostdocs.forget_before(session, clock.now()) == 0
        assert lostdocs.forget_before(session, clock.now() + lostdocs.timedelta(seconds=1)) == 1
    page = desk.client.get(path)
    assert page.status_code == 200 and 'data-result="unknown"' in page.text
    assert "น*** ผ***" not in page.text
    answer = desk.client.get(f"{PUBLIC}/verify?{urlsplit(path).query}").json()
    assert answer["result"] == "unknown" and answer["masked_name"] is None


def _tampered(path: str) -> list[tuple[str, str]]:
    query = parse_qs(urlsplit(path).query)
    c, r, d, s = query["c"][0], query["r"][0], query["d"][0], query["s"][0]
    flipped = ("A" if s[10] != "A" else "B")
    return [
        ("another number", f"v=1&c={c}&r=ST-A/2/2569&d={d}&s={s}"),
        ("another station", f"v=1&c={c}&r={r.replace('ST-A', 'ST-B')}&d={d}&s={s}"),
        ("another date", f"v=1&c={c}&r={r}&d=2026-01-02&s={s}"),
        ("another code", f"v=1&c=L-00000000&r={r}&d={d}&s={s}"),
        ("one character of the signature", f"v=1&c={c}&r={r}&d={d}&s={s[:10]}{flipped}{s[11:]}"),
        ("a made-up signature", f"v=1&c={c}&r={r}&d={d}&s={'A' * 86}"),
        ("signed with another key", "v=1&c={}&r={}&d={}&s={}".format(
            c, r, d, CertificateSigner("another-server-secret-that-is-long-enough").sign(
                Claim(c, r, d)))),
        ("no signature", f"v=1&c={c}&r={r}&d={d}&s="),
        ("short signature", f"v=1&c={c}&r={r}&d={d}&s={s[:40]}"),
        ("not a date", f"v=1&c={c}&r={r}&d=2026-02-30&s={s}"),
        ("another version", f"v=2&c={c}&r={r}&d={d}&s={s}"),
        ("garbage", "v=1&c=<script>&r=../../etc&d=x&s=%00"),
    ]


def test_a_tampered_or_forged_qr_is_refused(desk: Counter, settings: Settings) -> None:
    _, _, pdf = _issued(desk)
    path = _verify_path(_scanned(pdf), settings)
    for why, query in _tampered(path):
        page = desk.client.get(f"/lostdocs/verify?{query}")
        assert page.status_code in {400, 422}, why
        if page.status_code == 400:
            assert 'data-result="refused"' in page.text, why
            assert "ลายเซ็นไม่ถูกต้อง" in page.text and "Refused" in page.text
            assert "น*** ผ***" not in page.text
        answer = desk.client.get(f"{PUBLIC}/verify?{query}")
        assert answer.status_code == 422, why
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert desk.client.get(path).status_code == 200  # the real one still verifies


def test_anyone_verifies_offline_with_the_published_key(desk: Counter,
                                                        settings: Settings) -> None:
    _, _, pdf = _issued(desk)
    query = parse_qs(urlsplit(_scanned(pdf)).query)
    published = desk.client.get(f"{PUBLIC}/verify-key").json()
    assert published["algorithm"] == "Ed25519"
    raw = base64.urlsafe_b64decode(published["public_key"] + "=")
    key = Ed25519PublicKey.from_public_bytes(raw)
    message = "SZLD1\n{}\n{}\n{}".format(query["c"][0], query["r"][0], query["d"][0])
    signature = base64.urlsafe_b64decode(query["s"][0] + "==")
    key.verify(signature, message.encode())  # raises if wrong
    assert "BEGIN PUBLIC KEY" in published["public_key_pem"]
    # The key is the server's, derived from its secret: the same on every start.
    assert CertificateSigner(settings.secret_key.get_secret_value()).public_raw() == \
        published["public_key"]
