"""Pictures for simulated cameras: the camera code, the time in Bangkok and a moving car, on
a street drawn from the code, under a banner that says it is simulated.

The demo's cameras have no real stream; without this the camera wall would show nothing.
The moving element makes a refresh visible, and the banner keeps anyone from mistaking it
for a real view.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import BE_OFFSET

WIDTH, HEIGHT = 640, 360
BANNER = "ภาพจำลอง / SIMULATED"
# Debian's fonts-thai-tlwg (installed by scripts/install-system-deps): Thai glyphs for the
# banner. Without them the picture says SIMULATED in the default font.
THAI_FONTS = ("/usr/share/fonts/truetype/tlwg/Loma.ttf",
              "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
              "/usr/share/fonts/opentype/tlwg/Loma.otf")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> tuple[Font, bool]:
    """A font for ``size`` px and whether it has Thai letters."""
    for path in THAI_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _palette(code: str) -> tuple[int, ...]:
    return tuple(hashlib.sha256(code.encode()).digest()[:8])


def render(*, code: str, now: datetime) -> bytes:
    """One JPEG frame of the simulated camera ``code`` at ``now``."""
    seed = _palette(code)
    local = as_utc(now).astimezone(BANGKOK)
    image = Image.new("RGB", (WIDTH, HEIGHT), (30 + seed[0] % 40, 40 + seed[1] % 40, 60))
    draw = ImageDraw.Draw(image)
    horizon = 120 + seed[2] % 60
    # Buildings along the street, from the code: each camera has its own view.
    x = 0
    i = 0
    while x < WIDTH:
        w = 40 + seed[(i + 3) % 8] % 70
        h = 40 + (seed[(i + 5) % 8] * (i + 1)) % 90
        shade = 70 + (seed[i % 8] + 17 * i) % 80
        draw.rectangle((x, horizon - h, x + w - 4, horizon), fill=(shade, shade - 10, shade + 15))
        x += w
        i += 1
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=(55, 55, 60))
    lane = horizon + (HEIGHT - horizon) // 2
    for dash in range(0, WIDTH, 60):
        draw.rectangle((dash, lane - 3, dash + 30, lane + 3), fill=(220, 210, 120))
    # The moving car: one pass across the frame every 12 seconds.
    seconds = local.second + local.microsecond / 1e6 + 60 * local.minute
    car_x = int((seconds % 12) / 12 * (WIDTH + 120)) - 120
    car_y = lane + 12
    draw.rounded_rectangle((car_x, car_y, car_x + 110, car_y + 40), radius=8,
                           fill=(180 + seed[6] % 70, 40, 40))
    for wheel in (car_x + 18, car_x + 78):
        draw.ellipse((wheel, car_y + 30, wheel + 20, car_y + 50), fill=(15, 15, 15))
    font, thai = _font(22)
    small, _ = _font(18)
    stamp = (f"{local.day:02d}/{local.month:02d}/{local.year + BE_OFFSET} "
             f"{local:%H:%M:%S}")
    draw.rectangle((0, 0, WIDTH, 34), fill=(0, 0, 0))
    draw.text((10, 5), code, font=font, fill=(255, 255, 255))
    draw.text((WIDTH - 10, 7), stamp, font=small, fill=(255, 255, 255), anchor="ra")
    draw.rectangle((0, HEIGHT - 36, WIDTH, HEIGHT), fill=(200, 120, 0))
    draw.text((WIDTH // 2, HEIGHT - 18), BANNER if thai else "SIMULATED", font=font,
              fill=(0, 0, 0), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def overlay_png(code: str) -> bytes:
    """The simulated camera's marks for its moving stream: the code above, the banner below.

    Transparent elsewhere; ffmpeg lays it over a generated test picture (``media.inputs``),
    so the live view of a demo camera says it is simulated just as its snapshot does.
    """
    image = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font, thai = _font(22)
    draw.rectangle((0, 0, WIDTH, 34), fill=(0, 0, 0, 255))
    draw.text((10, 5), code, font=font, fill=(255, 255, 255, 255))
    draw.rectangle((0, HEIGHT - 36, WIDTH, HEIGHT), fill=(200, 120, 0, 255))
    draw.text((WIDTH // 2, HEIGHT - 18), BANNER if thai else "SIMULATED", font=font,
              fill=(0, 0, 0, 255), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def clock_font() -> str | None:
    """A font file for ffmpeg's clock on the simulated stream (digits only), or None."""
    return next((path for path in THAI_FONTS if Path(path).exists()), None)
