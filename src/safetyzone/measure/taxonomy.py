"""Source types (the Thai words a 191 log or a case register uses) -> call type and group.

The call types are those of incidents entered by hand (``ops.calltypes``), so an imported
record and an incident the CCOC took count under the same key and the same Thai crime
statistics group. A few offences have no call type (homicide, drunk driving): they map to
their group with no key. A label that is not in the table is refused on its line; a record
is "other" only where the file says so (อื่นๆ). The table is docs/measure/records.md's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safetyzone.ops.calltypes import BY_KEY, CALL_TYPES, CrimeGroup

G = CrimeGroup


@dataclass(frozen=True, slots=True)
class Mapped:
    kind: str | None  # an ``ops.calltypes`` key, or None where no call type fits
    group: CrimeGroup


def fold(label: str) -> str:
    """A label as the table looks it up: no spaces, lower case, no leading คดี/เหตุ."""
    text = re.sub(r"\s+", "", label).lower()
    for prefix in ("คดี", "เหตุ"):
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
    return text


# Source labels beyond the call types' own names (key, English and each Thai name).
SOURCE_LABELS: dict[str, str | tuple[None, CrimeGroup]] = {
    # life and body
    "ทำร้ายร่างกายผู้อื่น": "assault", "ทำร้ายร่างกายสาหัส": "assault",
    "ฆ่าผู้อื่น": (None, G.LIFE_BODY), "ฆาตกรรม": (None, G.LIFE_BODY),
    "พยายามฆ่า": (None, G.LIFE_BODY), "พบศพ": "death",
    # property
    "วิ่งราวทรัพย์": "theft", "ลักทรัพย์ในเคหสถาน": "burglary", "งัดบ้าน": "burglary",
    "ชิงทรัพย์": "robbery", "ปล้นทรัพย์": "robbery", "ลักรถจักรยานยนต์": "vehicle_theft",
    "ลักรถยนต์": "vehicle_theft", "รับของโจร": (None, G.PROPERTY),
    # sexual
    "ข่มขืน": "sexual_assault", "ข่มขืนกระทำชำเรา": "sexual_assault",
    "อนาจาร": "sexual_assault", "กระทำอนาจาร": "sexual_assault",
    # drugs
    "เสพยาเสพติด": "drugs", "ครอบครองยาเสพติด": "drugs", "จำหน่ายยาเสพติด": "drugs",
    # weapons
    "อาวุธปืน": "shooting", "พกพาอาวุธ": "shooting", "พกพาอาวุธปืน": "shooting",
    "ยิงปืน": "shooting", "ยิงปืนในที่สาธารณะ": "shooting",
    # public order (seed 002's 191 types: ทะเลาะวิวาท, ดื่มสุราส่งเสียงดัง, วัยรุ่นรวมตัว,
    # เมาสุราประพฤติตนวุ่นวาย)
    "ดื่มสุราส่งเสียงดัง": "disturbance", "เสียงดัง": "disturbance",
    "ก่อความเดือดร้อนรำคาญ": "disturbance", "เมาสุราประพฤติตนวุ่นวาย": "disturbance",
    "เมาสุราอาละวาด": "disturbance", "วัยรุ่นรวมตัว": "youths_gathering",
    "มั่วสุม": "youths_gathering", "วัยรุ่นมั่วสุม": "youths_gathering",
    "แข่งรถ": "youths_gathering", "พนัน": "gambling", "บุคคลต้องสงสัย": "suspicious",
    # traffic
    "อุบัติเหตุ": "traffic_accident", "รถชน": "traffic_accident",
    "จอดรถกีดขวาง": "traffic_obstruction", "เมาแล้วขับ": (None, G.TRAFFIC),
    # other
    "เพลิงไหม้": "fire", "อื่นๆ": "other",
}


def _table() -> dict[str, Mapped]:
    table: dict[str, Mapped] = {}
    for t in CALL_TYPES:
        names = [t.key, t.en, t.th, *t.th.split("/")]
        for name in names:
            table.setdefault(fold(name), Mapped(t.key, t.group))
    for label, target in SOURCE_LABELS.items():
        if isinstance(target, str):
            table[fold(label)] = Mapped(target, BY_KEY[target].group)
        else:
            table[fold(label)] = Mapped(None, target[1])
    return table


TABLE = _table()


def map_type(label: str) -> Mapped | None:
    """The call type and group of a source label; None when the table does not know it."""
    return TABLE.get(fold(label))


# CCOC incidents whose kind is not a call type: what the device or channel reported.
# Operational incidents (a device asking for repair, a risk spot left unvisited) are not
# events in the area and are left out of the records.
INCIDENT_KIND_GROUPS: dict[str, CrimeGroup | None] = {
    "sos": G.OTHER,  # a press says "help", not what happened
    "bank_alarm": G.PROPERTY,  # hold-up / duress buttons at banks
    "alarm": G.OTHER,
    "officer_in_danger": G.LIFE_BODY,
    "citizen": G.OTHER,
    "citizen_emergency": G.OTHER,
    "citizen_report": G.OTHER,
    "home_watch_problem": G.PROPERTY,
    "maintenance": None,
    "patrol_missed_visit": None,
}


def incident_group(kind: str) -> CrimeGroup | None:
    """The group an incident of ``kind`` counts under; None for operational incidents."""
    if kind in BY_KEY:
        return BY_KEY[kind].group
    return INCIDENT_KIND_GROUPS.get(kind, G.OTHER)
