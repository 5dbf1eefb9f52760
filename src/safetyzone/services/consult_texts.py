"""The words of legal consultation, Thai first: topics, channels, what the citizen is told,
and the consent text. Keys are stable (stored in rows); texts may be improved, but a consent
text that changes meaning needs a new ``CONSENT_VERSION``."""

from __future__ import annotations

import enum
from datetime import datetime

from safetyzone.citizen.taxonomy import Term
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import format_thai_datetime


class ConsultTopic(enum.StrEnum):
    FAMILY = "family"
    CRIMINAL = "criminal"
    CIVIL_DEBT = "civil_debt"
    FRAUD_ONLINE = "fraud_online"
    TRAFFIC = "traffic"
    LABOUR = "labour"
    PROPERTY_LAND = "property_land"
    OTHER = "other"


TOPICS = (
    Term("family", "ครอบครัว มรดก", "Family and inheritance"),
    Term("criminal", "คดีอาญา การแจ้งความ", "Criminal cases, filing a complaint"),
    Term("civil_debt", "คดีแพ่ง หนี้สิน สัญญา", "Civil cases, debts, contracts"),
    Term("fraud_online", "ถูกหลอกลวง ภัยออนไลน์", "Fraud and online scams"),
    Term("traffic", "จราจร อุบัติเหตุ", "Traffic and accidents"),
    Term("labour", "แรงงาน ค่าจ้าง", "Work and wages"),
    Term("property_land", "ที่ดิน ทรัพย์สิน", "Land and property"),
    Term("other", "เรื่องอื่น ๆ", "Something else"),
)
CHANNELS = (
    Term("station", "ที่สถานีตำรวจ", "At the police station"),
    Term("post", "ที่จุดบริการตำรวจจิตอาสา", "At a volunteer police post"),
    Term("phone", "ทางโทรศัพท์", "By phone"),
    Term("video", "ทางวิดีโอคอล", "By video call"),
)
STATES = (
    Term("booked", "นัดหมายแล้ว", "Booked"),
    Term("cancelled_by_citizen", "ยกเลิกโดยผู้ขอรับคำปรึกษา", "Cancelled by you"),
    Term("cancelled_by_station", "ยกเลิกโดยสถานีตำรวจ", "Cancelled by the station"),
    Term("held", "ให้คำปรึกษาแล้ว", "Consultation held"),
    Term("no_show", "ไม่ได้มาตามนัด", "Missed"),
)

CONSENT_VERSION = "consult-2026-1"
CONSENT = Term(
    "consult",
    "ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บชื่อ เบอร์โทรศัพท์ และเรื่องที่ขอปรึกษา เพื่อนัดหมาย "
    "แจ้งเตือน และให้คำปรึกษาข้อกฎหมาย เก็บไว้ไม่เกิน 1 ปีหลังวันนัด แล้วลบ",
    "I agree that the station keeps my name, phone number and my question to book, remind "
    "me of and give the legal consultation, for at most 1 year after the appointment, then "
    "deletes them.",
)


def term(terms: tuple[Term, ...], key: str) -> Term:
    return next((t for t in terms if t.key == key), Term(key, key, key))


def _en_time(value: datetime) -> str:
    return f"{as_utc(value).astimezone(BANGKOK):%d %b %Y %H:%M}"


def notice(what: str, *, code: str, starts_at: datetime, reason: str | None = None
           ) -> tuple[str, str]:
    """What the citizen is told (Thai, English): B.E. dates in Thai, Bangkok time."""
    th_at, en_at = format_thai_datetime(starts_at), _en_time(starts_at)
    if what == "confirmed":
        return (f"ยืนยันนัดปรึกษาข้อกฎหมาย {code} วันที่ {th_at} น.",
                f"Legal consultation {code} is booked for {en_at} (Bangkok time).")
    if what == "reminder":
        return (f"เตือนความจำ: นัดปรึกษาข้อกฎหมาย {code} วันที่ {th_at} น.",
                f"Reminder: legal consultation {code} on {en_at} (Bangkok time).")
    if what == "cancelled_by_station":
        why = f" เหตุผล: {reason}" if reason else ""
        why_en = f" Reason: {reason}" if reason else ""
        return (f"สถานีตำรวจยกเลิกนัด {code} วันที่ {th_at} น.{why} กรุณาจองเวลาใหม่",
                f"The station cancelled consultation {code} on {en_at}.{why_en} "
                "Please book another time.")
    return (f"ยกเลิกนัด {code} วันที่ {th_at} น. แล้ว",
            f"Consultation {code} on {en_at} is cancelled.")
