"""Thai and English names of what an incident report prints: states, dispositions, timeline
entries and incident kinds. The console has its own catalog (web/console/static/i18n); the
printed report is made on the server, so it names them here. An unknown key prints as itself.
"""

from __future__ import annotations

from typing import NamedTuple

from safetyzone.ops.calltypes import CALL_TYPES


class Label(NamedTuple):
    th: str
    en: str


STATES = {
    "new": Label("ใหม่", "New"),
    "acknowledged": Label("รับเรื่องแล้ว", "Acknowledged"),
    "dispatched": Label("ส่งสายตรวจแล้ว", "Dispatched"),
    "en_route": Label("กำลังเดินทาง", "En route"),
    "on_scene": Label("ถึงที่เกิดเหตุ", "On scene"),
    "cleared": Label("เคลียร์แล้ว", "Cleared"),
    "closed": Label("ปิดแล้ว", "Closed"),
}
DISPOSITIONS = {
    "resolved": Label("ระงับเหตุแล้ว", "Resolved"),
    "assisted": Label("ให้ความช่วยเหลือแล้ว", "Assisted"),
    "arrest": Label("จับกุม", "Arrest"),
    "false_alarm": Label("แจ้งเตือนผิดพลาด", "False alarm"),
    "test": Label("ทดสอบระบบ", "Test"),
    "duplicate": Label("ซ้ำกับเหตุอื่น", "Duplicate"),
    "no_trace": Label("ไม่พบเหตุ", "No trace"),
    "referred": Label("ส่งต่อหน่วยงานอื่น", "Referred"),
    "maintenance_done": Label("ซ่อมบำรุงแล้ว", "Maintenance done"),
}
ENTRIES = {
    "created": Label("เปิดเหตุ", "Opened"),
    "merged": Label("กดซ้ำ (รวมเหตุ)", "Pressed again (merged)"),
    "transition": Label("เปลี่ยนสถานะ", "State change"),
    "dispatched": Label("ส่งสายตรวจ", "Unit dispatched"),
    "released": Label("ถอนสายตรวจ", "Unit released"),
    "note": Label("บันทึก", "Note"),
    "officer_safe": Label("เจ้าหน้าที่แจ้งว่าปลอดภัย", "Officer reports safe"),
    "escalated": Label("ยกระดับถึงผู้บังคับบัญชา", "Escalated to the commander"),
    "trail": Label("ตำแหน่งใหม่จากโทรศัพท์ผู้แจ้ง", "New positions from the caller's phone"),
    "photo": Label("ภาพจากสายตรวจ", "Photo from the officer"),
}
KINDS = {
    "sos": Label("กดปุ่ม SOS", "SOS press"),
    "bank_alarm": Label("สัญญาณเตือนภัยธนาคาร", "Bank alarm"),
    "officer_in_danger": Label("เจ้าหน้าที่ขอความช่วยเหลือ", "Officer in danger"),
    "alarm": Label("สัญญาณเตือนภัย", "Alarm"),
    "maintenance": Label("แจ้งซ่อมอุปกรณ์", "Maintenance"),
    "citizen": Label("แจ้งเหตุจากประชาชน", "Citizen report"),
    "citizen_emergency": Label("ประชาชนแจ้งเหตุฉุกเฉิน", "Citizen emergency"),
    "citizen_report": Label("เรื่องจากประชาชนที่เปิดเป็นเหตุ",
                            "Citizen report turned into an incident"),
    "patrol_missed_visit": Label("จุดเสี่ยงขาดการตรวจ", "Risk spot not patrolled"),
    "home_watch_problem": Label("ฝากบ้าน: สายตรวจพบสิ่งผิดปกติ",
                                "Home watch: patrol found a problem"),
    # Calls entered by hand: their type is the incident's kind (ops.calltypes).
    **{t.key: Label(t.th, t.en.capitalize()) for t in CALL_TYPES},
}


def label(table: dict[str, Label], key: str | None) -> Label:
    """The names of ``key``, or the key itself in both languages when the table lacks it."""
    if key is None:
        return Label("", "")
    return table.get(key, Label(key, key))
