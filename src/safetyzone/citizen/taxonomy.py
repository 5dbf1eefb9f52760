"""The words a citizen sees: categories, statuses, dispositions and consent texts, Thai first.

One home for every key the public app, LINE, Open311 and the console show, so the same key
reads the same in every channel. Keys are stable (stored in rows); texts may be improved,
but a consent text that changes meaning needs a new ``CONSENT_VERSION``: a citizen's
consent row names the version they saw.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Term:
    key: str
    th: str
    en: str


class ItemKind(enum.StrEnum):
    EMERGENCY = "emergency"
    REPORT = "report"
    TIP = "tip"


class Channel(enum.StrEnum):
    WEB = "web"
    LINE = "line"
    OPEN311 = "open311"
    # Taken by a volunteer at a service post (``services.posts``): the post is recorded.
    POST = "post"


class LocationSource(enum.StrEnum):
    GPS = "gps"
    PIN = "pin"
    PHOTO = "photo"
    LINE = "line"
    NONE = "none"


class ItemState(enum.StrEnum):
    """Where an item is. An emergency mirrors its incident (see ``status.mirror``)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INFO_REQUESTED = "info_requested"
    IN_PROGRESS = "in_progress"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    MERGED = "merged"


class ReportCategory(enum.StrEnum):
    THEFT = "theft"
    DRUGS = "drugs"
    GAMBLING = "gambling"
    YOUTHS_GATHERING = "youths_gathering"
    STREET_LIGHT = "street_light"
    ABANDONED_PLOT = "abandoned_plot"
    SUSPICIOUS_PERSON = "suspicious_person"
    TRAFFIC = "traffic"
    OTHER = "other"


class TipCategory(enum.StrEnum):
    DRUGS = "drugs"
    GAMBLING = "gambling"
    WEAPONS = "weapons"
    WANTED_PERSON = "wanted_person"
    STOLEN_PROPERTY = "stolen_property"
    INFLUENTIAL_PERSON = "influential_person"
    OTHER = "other"


class Disposition(enum.StrEnum):
    RESOLVED = "resolved"
    ARREST = "arrest"
    ASSISTED = "assisted"
    PATROL_INCREASED = "patrol_increased"
    REFERRED = "referred"
    NO_TRACE = "no_trace"
    DUPLICATE = "duplicate"
    INSUFFICIENT_INFO = "insufficient_info"
    NOT_POLICE_MATTER = "not_police_matter"
    FALSE_ALARM = "false_alarm"
    TEST = "test"
    MAINTENANCE_DONE = "maintenance_done"


class Purpose(enum.StrEnum):
    EMERGENCY = "emergency"
    REPORT = "report"
    TIP = "tip"


TERMINAL = frozenset({ItemState.CLOSED, ItemState.MERGED})
CODE_PREFIX = {ItemKind.EMERGENCY: "E", ItemKind.REPORT: "R", ItemKind.TIP: "T"}

# The Thai taxonomy of what citizens report (seeds: the station's LINE OA topics).
REPORT_CATEGORIES: tuple[Term, ...] = (
    Term("theft", "ลักทรัพย์", "Theft"),
    Term("drugs", "ยาเสพติด", "Drugs"),
    Term("gambling", "การพนัน", "Gambling"),
    Term("youths_gathering", "กลุ่มวัยรุ่นมั่วสุม", "Youths gathering"),
    Term("street_light", "ไฟฟ้าส่องสว่างชำรุด", "Broken street light"),
    Term("abandoned_plot", "พื้นที่รกร้าง / บ้านร้าง", "Abandoned plot or building"),
    Term("suspicious_person", "บุคคลน่าสงสัย", "Suspicious person"),
    Term("traffic", "การจราจร", "Traffic"),
    Term("other", "อื่น ๆ", "Other"),
)
# Tips (ตาสับปะรด): what the network tells the station about offenders.
TIP_CATEGORIES: tuple[Term, ...] = (
    Term("drugs", "ยาเสพติด", "Drugs"),
    Term("gambling", "บ่อนการพนัน", "Gambling den"),
    Term("weapons", "อาวุธ", "Weapons"),
    Term("wanted_person", "ผู้ต้องหาตามหมายจับ", "Wanted person"),
    Term("stolen_property", "ทรัพย์สินที่ถูกขโมย", "Stolen property"),
    Term("influential_person", "ผู้มีอิทธิพล", "Influential person"),
    Term("other", "อื่น ๆ", "Other"),
)
EMERGENCY_CATEGORY = Term("emergency", "เหตุฉุกเฉิน", "Emergency")

STATUSES: tuple[Term, ...] = (
    Term(ItemState.NEW, "รับแจ้งแล้ว", "Received"),
    Term(ItemState.ACKNOWLEDGED, "เจ้าหน้าที่รับเรื่องแล้ว", "Acknowledged"),
    Term(ItemState.INFO_REQUESTED, "ขอข้อมูลเพิ่มเติม", "More information requested"),
    Term(ItemState.IN_PROGRESS, "กำลังดำเนินการ", "In progress"),
    Term(ItemState.DISPATCHED, "ส่งสายตรวจแล้ว กำลังเดินทาง", "Unit dispatched, on the way"),
    Term(ItemState.ON_SCENE, "สายตรวจถึงที่เกิดเหตุแล้ว", "Unit on scene"),
    Term(ItemState.CLOSED, "ปิดเรื่องแล้ว", "Closed"),
    Term(ItemState.MERGED, "รวมกับเรื่องที่มีผู้แจ้งแล้ว", "Joined to an earlier report"),
)

# What the citizen is told when an item closes. A superset of the incident dispositions
# (ops.incidents.DISPOSITIONS), so an emergency's closing reads in Thai too.
DISPOSITIONS: tuple[Term, ...] = (
    Term("resolved", "แก้ไขเรียบร้อยแล้ว", "Resolved"),
    Term("arrest", "จับกุมผู้กระทำผิดได้แล้ว", "Offender arrested"),
    Term("assisted", "ให้ความช่วยเหลือแล้ว", "Assistance given"),
    Term("patrol_increased", "เพิ่มการตรวจตราในพื้นที่แล้ว", "Patrols increased in the area"),
    Term("referred", "ส่งต่อหน่วยงานที่รับผิดชอบแล้ว", "Referred to the responsible agency"),
    Term("no_trace", "ตรวจสอบแล้วไม่พบเหตุ", "Checked, nothing found"),
    Term("duplicate", "ซ้ำกับเรื่องที่มีผู้แจ้งแล้ว", "Duplicate of an earlier report"),
    Term("insufficient_info", "ข้อมูลไม่เพียงพอต่อการดำเนินการ", "Not enough information to act"),
    Term("not_police_matter", "ไม่อยู่ในอำนาจหน้าที่ของตำรวจ", "Not a police matter"),
    Term("false_alarm", "แจ้งเหตุคลาดเคลื่อน", "False alarm"),
    Term("test", "ทดสอบระบบ", "System test"),
    Term("maintenance_done", "ซ่อมบำรุงแล้ว", "Repaired"),
)

CONSENT_VERSION = "2026-12-01"
# Consent per purpose, shown before sending (PDPA): what is kept, why, for how long.
PURPOSES: tuple[Term, ...] = (
    Term("emergency",
         "ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บและใช้ตำแหน่ง ข้อความ รูปภาพหรือเสียง และหมายเลข"
         "โทรศัพท์ที่ให้ไว้ เพื่อช่วยเหลือและติดต่อกลับในเหตุฉุกเฉินนี้ และเก็บไว้ไม่เกิน 1 ปี",
         "I agree that the police station keeps and uses my location, message, photo or "
         "voice note and phone number to help me and call me back in this emergency, for at "
         "most 1 year."),
    Term("report",
         "ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บและใช้รายละเอียด ตำแหน่ง รูปภาพ และข้อมูลติดต่อที่ให้ไว้ "
         "เพื่อตรวจสอบ แก้ไขเรื่องที่แจ้ง และแจ้งผลกลับ และเก็บไว้ไม่เกิน 1 ปี",
         "I agree that the police station keeps and uses the details, place, photos and "
         "contact I give to check and handle this report and tell me the outcome, for at "
         "most 1 year."),
    Term("tip",
         "ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บเบาะแสนี้เพื่อการสืบสวน หากระบุตัวตน ชื่อและหมายเลข"
         "โทรศัพท์จะเห็นได้เฉพาะพนักงานสืบสวนที่ได้รับมอบหมายเท่านั้น และเก็บไว้ไม่เกิน 2 ปี",
         "I agree that the police station keeps this tip for investigation. If I give my "
         "name and phone, only the investigator assigned to the tip can see them. Kept for "
         "at most 2 years."),
)
PURPOSE_FOR = {ItemKind.EMERGENCY: "emergency", ItemKind.REPORT: "report",
               ItemKind.TIP: "tip"}
# How long an item's personal data is kept (the consent texts above say the same).
RETENTION = {ItemKind.EMERGENCY: timedelta(days=365), ItemKind.REPORT: timedelta(days=365),
             ItemKind.TIP: timedelta(days=730)}

_BY_KEY = {
    "category": {t.key: t for t in (*REPORT_CATEGORIES, *TIP_CATEGORIES, EMERGENCY_CATEGORY)},
    "status": {t.key: t for t in STATUSES},
    "disposition": {t.key: t for t in DISPOSITIONS},
}


def term(group: str, key: str) -> Term:
    """The term for ``key`` in ``group`` (an unknown key reads as itself, never fails)."""
    return _BY_KEY[group].get(key) or Term(key, key, key)


def category_term(kind: ItemKind, key: str) -> Term:
    if kind is ItemKind.TIP:
        return next((t for t in TIP_CATEGORIES if t.key == key), Term(key, key, key))
    return term("category", key)
