"""What a caller reports, in the words a Thai duty officer uses, grouped as Thai crime
statistics group offences (ความผิดต่อชีวิตและร่างกาย, ต่อทรัพย์, ...).

A type's key becomes the incident's ``kind`` (stable, stored in rows); its group lets the
program's figures count incidents entered by hand beside records imported from 191 and case
systems. The default priority is a starting point the operator may change: a fight with a
knife is P1 whatever the list says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CallSource(enum.StrEnum):
    """How the report reached the CCOC."""

    TRANSFER_191 = "transfer_191"  # passed on by the 191 emergency centre, with its number
    PHONE = "phone"  # a call straight to the station or the CCOC
    WALK_IN = "walk_in"  # someone came to the CCOC
    RADIO = "radio"  # an officer or volunteer on the radio
    COUNTER = "counter"  # a citizen at the station's counter


SOURCE_NAMES: dict[CallSource, tuple[str, str]] = {
    CallSource.TRANSFER_191: ("ส่งต่อจาก 191", "191 transfer"),
    CallSource.PHONE: ("โทรศัพท์", "phone call"),
    CallSource.WALK_IN: ("มาแจ้งที่ศูนย์", "walk-in"),
    CallSource.RADIO: ("วิทยุสื่อสาร", "radio"),
    CallSource.COUNTER: ("แจ้งที่โรงพัก", "station counter"),
}


class CrimeGroup(enum.StrEnum):
    LIFE_BODY = "life_body"
    PROPERTY = "property"
    SEXUAL = "sexual"
    DRUGS = "drugs"
    WEAPONS = "weapons"
    PUBLIC_ORDER = "public_order"
    TRAFFIC = "traffic"
    OTHER = "other"


GROUP_NAMES: dict[CrimeGroup, tuple[str, str]] = {
    CrimeGroup.LIFE_BODY: ("ความผิดต่อชีวิตและร่างกาย", "life and body"),
    CrimeGroup.PROPERTY: ("ความผิดเกี่ยวกับทรัพย์", "property"),
    CrimeGroup.SEXUAL: ("ความผิดทางเพศ", "sexual offences"),
    CrimeGroup.DRUGS: ("ยาเสพติด", "drugs"),
    CrimeGroup.WEAPONS: ("อาวุธ", "weapons"),
    CrimeGroup.PUBLIC_ORDER: ("ความสงบเรียบร้อย", "public order"),
    CrimeGroup.TRAFFIC: ("จราจร", "traffic"),
    CrimeGroup.OTHER: ("อื่น ๆ", "other"),
}


@dataclass(frozen=True, slots=True)
class CallType:
    key: str
    group: CrimeGroup
    th: str
    en: str
    priority: int


G = CrimeGroup
CALL_TYPES: tuple[CallType, ...] = (
    CallType("assault", G.LIFE_BODY, "ทำร้ายร่างกาย", "assault", 1),
    CallType("domestic_violence", G.LIFE_BODY, "ความรุนแรงในครอบครัว", "domestic violence", 1),
    CallType("death", G.LIFE_BODY, "พบศพ / เสียชีวิตผิดธรรมชาติ", "body found", 2),
    CallType("missing_person", G.LIFE_BODY, "คนหาย", "missing person", 2),
    CallType("robbery", G.PROPERTY, "ชิงทรัพย์ / ปล้นทรัพย์", "robbery", 1),
    CallType("burglary", G.PROPERTY, "งัดบ้าน / ลักทรัพย์ในเคหสถาน", "burglary", 2),
    CallType("theft", G.PROPERTY, "ลักทรัพย์", "theft", 3),
    CallType("vehicle_theft", G.PROPERTY, "ลักรถ", "vehicle theft", 2),
    CallType("fraud", G.PROPERTY, "ฉ้อโกง", "fraud", 4),
    CallType("sexual_assault", G.SEXUAL, "ข่มขืน / อนาจาร", "sexual assault", 1),
    CallType("drugs", G.DRUGS, "ยาเสพติด", "drugs", 3),
    CallType("shooting", G.WEAPONS, "ยิงปืน / อาวุธ", "shooting or weapon", 1),
    CallType("fight", G.PUBLIC_ORDER, "ทะเลาะวิวาท", "fight", 2),
    CallType("disturbance", G.PUBLIC_ORDER, "ก่อความเดือดร้อนรำคาญ / เสียงดัง",
             "disturbance or noise", 4),
    CallType("gambling", G.PUBLIC_ORDER, "การพนัน", "gambling", 4),
    CallType("youths_gathering", G.PUBLIC_ORDER, "มั่วสุม / แข่งรถ", "youths gathering or racing",
             3),
    CallType("suspicious", G.PUBLIC_ORDER, "บุคคลหรือสิ่งของต้องสงสัย",
             "suspicious person or object", 3),
    CallType("traffic_accident", G.TRAFFIC, "อุบัติเหตุจราจร", "traffic accident", 2),
    CallType("traffic_obstruction", G.TRAFFIC, "กีดขวางการจราจร", "traffic obstruction", 4),
    CallType("fire", G.OTHER, "ไฟไหม้", "fire", 1),
    CallType("assistance", G.OTHER, "ขอความช่วยเหลือ", "assistance", 3),
    CallType("other", G.OTHER, "อื่น ๆ", "other", 3),
)
BY_KEY = {t.key: t for t in CALL_TYPES}
