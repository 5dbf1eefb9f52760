"""Citizens in the simulated zone: now and then someone reports a broken street light, a
gathering of youths or a suspicious person through the public app's API, so the demo's
console shows citizen items arriving live as well as device alerts.

A client of the public API only, like a phone: it reads the consent version from the
catalog (``GET /api/v1/public/catalog``), then sends ``POST /api/v1/public/reports`` with no
device token, a fresh caller key per report, consent given, a place inside the zone.
"""

from __future__ import annotations

import random
from typing import Any

from shapely.geometry import Point, Polygon, shape

REPORTS = "/api/v1/public/reports"
CATALOG = "/api/v1/public/catalog"
# (category, what people write) for the categories seeds 002 and 004 name.
SAYINGS: tuple[tuple[str, str], ...] = (
    ("street_light", "ไฟถนนดับหลายต้น ซอยมืดมาก เดินกลับบ้านไม่กล้า"),
    ("youths_gathering", "มีกลุ่มวัยรุ่นมั่วสุมหน้าร้านสะดวกซื้อ ส่งเสียงดังทุกคืน"),
    ("suspicious_person", "มีชายแปลกหน้าเดินดูรถที่จอดอยู่หลายคัน ท่าทางน่าสงสัย"),
    ("abandoned_plot", "ที่ดินรกร้างหญ้าสูง มีคนเข้าไปใช้ยาเสพติดตอนกลางคืน"),
    ("traffic", "รถจอดซ้อนคันหน้าโรงเรียน รถติดยาวช่วงเช้า"),
    ("theft", "รถจักรยานยนต์ที่จอดหน้าบ้านถูกขโมยเมื่อคืน"),
    ("gambling", "มีวงไพ่ในบ้านร้างท้ายซอย คนเข้าออกทั้งคืน"),
)


def place_in(boundary: dict[str, Any], rng: random.Random) -> tuple[float, float]:
    """A random point inside the zone (lat, lon); the centre when drawing keeps missing."""
    zone: Polygon = shape(boundary)
    west, south, east, north = zone.bounds
    for _ in range(50):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if zone.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    inside = zone.representative_point()
    return inside.y, inside.x


def report(boundary: dict[str, Any], rng: random.Random, caller_key: str) -> dict[str, Any]:
    """The body a citizen's phone sends for one report (the consent version is filled in
    when sending, from the catalog)."""
    category, text = rng.choice(SAYINGS)
    lat, lon = place_in(boundary, rng)
    return {"client_key": caller_key, "category": category, "description": text,
            "location": {"lat": lat, "lon": lon, "accuracy_m": round(rng.uniform(5, 40), 1)},
            "location_source": "gps",
            "consent": {"purposes": ["report"], "version": ""}}


def consent_version(catalog: dict[str, Any]) -> str:
    """The version of the consent text the citizen is shown (the catalog's "report" one)."""
    version: str = next(p["version"] for p in catalog["purposes"] if p["key"] == "report")
    return version
