"""The red box scanner with a camera: Chromium's fake camera plays a video of a QR code
(written here, as a red box's printed sheet would show it), the app decodes it with jsQR in
its worker and sends the text verbatim, with the phone's fix, as a check-in."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image

from support.console import Field, Server
from support.console import chromium as launch_chromium
from support.officer_app import STEP_SEEN_MS, Phone

QR_TEXT = "SSZRB1.P.PCR-KBL-RB-SCAN.MPB-PHASI-CHAROEN.1.SCANNEDBYTHECAMERA"
WIDTH, HEIGHT, FRAMES = 640, 480, 8


def qr_video(path: Path, text: str) -> None:
    """A few frames of a QR code on white, as YUV4MPEG2 (what Chromium's fake camera reads)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=7, border=4)
    code = Image.open(io.BytesIO(out.getvalue())).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


# Module scope, like the other browser fixtures; this one's camera shows the QR video.
@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    video = tmp_path_factory.mktemp("camera") / "qr.y4m"
    qr_video(video, QR_TEXT)
    with launch_chromium("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                         f"--use-file-for-fake-video-capture={video}") as browser:
        yield browser


def test_the_camera_reads_a_red_box_qr_and_sends_it_verbatim(
    chromium: Any, server: Server, artifacts: Path, field: Field,
) -> None:
    pole = field.asset("PCR-KBL-SOS01")
    here = (pole["lat"], pole["lon"])
    unit_id = field.unit("T-OFFICER-6", *here)
    phone = Phone(chromium, server, artifacts, here)
    phone.context.grant_permissions(["geolocation", "camera"])
    page = phone.page
    libraries: list[str] = []
    page.on("request", lambda r: libraries.append(r.url) if "/vendor/jsqr/" in r.url else None)
    try:
        phone.login()
        phone.start_shift(unit_id)
        page.click(".tabs a[data-go=checkin]")
        page.wait_for_selector("body[data-screen=checkin]")
        with page.expect_request(lambda r: r.url.endswith("/api/v1/officer/checkins")
                                 and r.method == "POST", timeout=STEP_SEEN_MS) as sent:
            page.click("#scan-start")
        body = json.loads(sent.value.post_data or "{}")
        assert body["code"] == QR_TEXT
        assert abs(body["lat"] - here[0]) < 1e-6 and abs(body["lon"] - here[1]) < 1e-6
        assert body["accuracy_m"] == 8 and body["scanned_at"].endswith("Z")
        assert page.locator("#scanner").is_hidden()  # the camera is off once a code is read
        assert page.locator("#checkin-code").input_value() == QR_TEXT
        # Decoded by jsQR in the app's worker (desktop Chromium has no BarcodeDetector).
        assert any(url.endswith("/vendor/jsqr/jsQR.js") for url in libraries)
        page.wait_for_selector("#checkin-list li:not(.waiting)", timeout=STEP_SEEN_MS)
        page.click(".tabs a[data-go=home]")
        page.click("#shift-end")
        page.click("#end-confirm-yes")
        page.wait_for_selector("body[data-screen=shift]")
    finally:
        phone.close()
