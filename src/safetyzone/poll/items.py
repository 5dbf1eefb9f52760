"""The standard item bank of the People Poll, versioned: a poll keeps a copy of the items it
was created with, so a wave's answers are always read against the words people saw.

The Likert items are 1-5. Each names its *indicator*: which answers count as the share the
program reports. Feeling safe after dark counts 1-2 ("unsafe"): that share is the fear of
crime (the program's target is below 40 %, seed 003). The others count 4-5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BANK_VERSION = "2026.1"
LIKERT = "likert5"
MULTI = "multi"
# A station may add this many items of its own (agree-disagree, 1-5) to a poll.
MAX_CUSTOM_ITEMS = 5
# The share the program reports for "feeling safe after dark" (fear of crime) must be below.
FEAR_TARGET = 0.40

AGREE_LABELS = (("ไม่เห็นด้วยอย่างยิ่ง", "Strongly disagree"), ("ไม่เห็นด้วย", "Disagree"),
                ("เฉยๆ", "Neither"), ("เห็นด้วย", "Agree"), ("เห็นด้วยอย่างยิ่ง", "Strongly agree"))


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    th: str
    en: str
    labels: tuple[tuple[str, str], ...] = ()  # Likert: five (th, en) labels, 1 first
    options: tuple[tuple[str, str, str], ...] = ()  # multi: (key, th, en)
    share_values: tuple[int, ...] = (4, 5)
    indicator_th: str = ""
    indicator_en: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "th": self.th, "en": self.en,
                "labels": [list(x) for x in self.labels],
                "options": [list(x) for x in self.options],
                "share_values": list(self.share_values),
                "indicator_th": self.indicator_th, "indicator_en": self.indicator_en}


STANDARD: tuple[Item, ...] = (
    Item("safe_dark", LIKERT,
         "ท่านรู้สึกปลอดภัยเพียงใด เมื่อเดินคนเดียวในละแวกบ้านหลังมืด",
         "How safe do you feel walking alone in your area after dark?",
         labels=(("ไม่ปลอดภัยมาก", "Very unsafe"), ("ค่อนข้างไม่ปลอดภัย", "Fairly unsafe"),
                 ("เฉยๆ", "Neither"), ("ค่อนข้างปลอดภัย", "Fairly safe"),
                 ("ปลอดภัยมาก", "Very safe")),
         share_values=(1, 2), indicator_th="ความหวาดกลัวภัยอาชญากรรม (รู้สึกไม่ปลอดภัย)",
         indicator_en="Fear of crime (feel unsafe)"),
    Item("worry_burglary", LIKERT,
         "ท่านกังวลเพียงใดว่าบ้านของท่านจะถูกงัดหรือลักทรัพย์",
         "How worried are you that your home will be broken into?",
         labels=(("ไม่กังวลเลย", "Not at all worried"), ("กังวลเล็กน้อย", "A little worried"),
                 ("กังวลปานกลาง", "Somewhat worried"), ("กังวลมาก", "Very worried"),
                 ("กังวลมากที่สุด", "Extremely worried")),
         indicator_th="กังวลเรื่องลักทรัพย์ในบ้าน", indicator_en="Worried about burglary"),
    Item("confidence_police", LIKERT,
         "ท่านมั่นใจในการทำงานของตำรวจในพื้นที่ของท่านเพียงใด",
         "How much confidence do you have in the police in your area?",
         labels=(("ไม่มั่นใจเลย", "None at all"), ("มั่นใจน้อย", "Little"),
                 ("ปานกลาง", "Some"), ("มั่นใจมาก", "A lot"),
                 ("มั่นใจมากที่สุด", "Complete")),
         indicator_th="ความเชื่อมั่นต่อตำรวจ", indicator_en="Confidence in police"),
    Item("needs", MULTI,
         "ท่านอยากให้พื้นที่ของท่านมีอะไรเพิ่ม เพื่อความปลอดภัย (เลือกได้หลายข้อ)",
         "What does your area need to be safer? (choose any)",
         options=(("lighting", "ไฟส่องสว่าง", "Street lighting"),
                  ("patrols", "ตำรวจสายตรวจมากขึ้น", "More police patrols"),
                  ("cctv", "กล้องวงจรปิด", "CCTV cameras"),
                  ("vacant_lots", "ปรับปรุงที่รกร้าง", "Clearing vacant lots"),
                  ("drugs", "แก้ปัญหายาเสพติด", "Tackle drug problems"),
                  ("other", "อื่นๆ", "Other"))),
)
STANDARD_KEYS = tuple(item.key for item in STANDARD)


def custom_item(key: str, th: str, en: str) -> Item:
    """A station's own agree-disagree statement (1-5, sharing 4-5 as "agree")."""
    return Item(key, LIKERT, th, en, labels=AGREE_LABELS,
                indicator_th="เห็นด้วย", indicator_en="Agree")


def from_json(data: dict[str, Any]) -> Item:
    """An item as a poll stored it."""
    return Item(str(data["key"]), str(data["kind"]), str(data["th"]), str(data["en"]),
                labels=tuple((str(a), str(b)) for a, b in data.get("labels", [])),
                options=tuple((str(a), str(b), str(c)) for a, b, c in data.get("options", [])),
                share_values=tuple(int(v) for v in data.get("share_values", [4, 5])),
                indicator_th=str(data.get("indicator_th", "")),
                indicator_en=str(data.get("indicator_en", "")))
