"""What home watch says to people, Thai first with English, in one place: the consent text,
states, the reasons a visit is refused, and the notices the owner gets (page and LINE).

A consent text that changes meaning needs a new ``CONSENT_VERSION``: a request's consent
row names the version its owner accepted.
"""

from __future__ import annotations

from datetime import datetime

from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import format_thai_datetime
from safetyzone.services.homewatch_models import Finding, WatchState

CONSENT_VERSION = "hw-2026-12"
CONSENT_TH = (
    "ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บที่อยู่ ตำแหน่งบ้าน ผู้ติดต่อ หมายเหตุ และรูปภาพบ้าน "
    "เพื่อใช้ตรวจตราบ้านในช่วงที่ข้าพเจ้าไม่อยู่ (โครงการฝากบ้านกับตำรวจ 4.0) "
    "และแจ้งผลการตรวจให้ข้าพเจ้าทราบ ข้อมูลส่วนบุคคลจะถูกลบภายใน {days} วัน "
    "หลังสิ้นสุดช่วงเวลาที่ฝากบ้าน")
CONSENT_EN = (
    "I agree that the police station keeps my address, the house's position, contacts, notes "
    "and photos of the house to patrol it while I am away (Home watch with the police 4.0) "
    "and to tell me what each visit found. The personal data is deleted within {days} days "
    "after the time away ends.")

STATES: dict[WatchState, tuple[str, str]] = {
    WatchState.PENDING: ("รอเจ้าหน้าที่พิจารณา", "Waiting for an officer"),
    WatchState.APPROVED: ("อนุมัติแล้ว สายตรวจจะแวะตรวจบ้านของท่าน",
                          "Approved: patrols will check your house"),
    WatchState.DECLINED: ("ไม่อนุมัติ", "Declined"),
    WatchState.CANCELLED: ("ยกเลิกแล้ว", "Cancelled"),
    WatchState.CLOSED: ("สิ้นสุดการฝากบ้านแล้ว", "Home watch ended"),
}

REFUSALS: dict[str, tuple[str, str]] = {
    "off_shift": ("ต้องเริ่มเวรกับรถสายตรวจก่อนบันทึกการตรวจบ้าน",
                  "Start your shift with a unit before logging a visit."),
    "other_station": ("บ้านหลังนี้อยู่ในความดูแลของสถานีอื่น ไม่ใช่สถานีของหน่วยที่ท่านอยู่เวร",
                      "This house is watched by another station than your unit's."),
    "not_watched": ("บ้านหลังนี้ไม่ได้อยู่ในช่วงเวลาฝากบ้าน",
                    "This house is not being watched now."),
    "poor_accuracy": ("สัญญาณ GPS ไม่แม่นยำพอ (±{accuracy:.0f} ม. ต้องไม่เกิน {limit:.0f} ม.) "
                      "รอสักครู่แล้วลองใหม่",
                      "GPS fix too coarse (±{accuracy:.0f} m, at most {limit:.0f} m): wait "
                      "a moment and try again."),
    "too_far": ("อยู่ห่างจากบ้านที่ฝากไว้ {distance:.0f} ม. ต้องอยู่ภายใน {limit:.0f} ม.",
                "{distance:.0f} m from the house: you must be within {limit:.0f} m."),
}


def refusal(reason: str, **values: float) -> tuple[str, str]:
    th, en = REFUSALS[reason]
    return th.format(**values), en.format(**values)


def when_en(value: datetime) -> str:
    return f"{as_utc(value).astimezone(BANGKOK):%d %b %Y %H:%M}"


def approved(code: str, away_from: datetime, away_until: datetime) -> tuple[str, str]:
    return (f"คำขอฝากบ้าน {code} ได้รับอนุมัติ สายตรวจจะแวะตรวจบ้านของท่านระหว่าง "
            f"{format_thai_datetime(away_from)} ถึง {format_thai_datetime(away_until)} น.",
            f"Home watch {code} is approved: patrols will check your house from "
            f"{when_en(away_from)} to {when_en(away_until)}.")


def declined(code: str, reason: str) -> tuple[str, str]:
    return (f"คำขอฝากบ้าน {code} ไม่ได้รับอนุมัติ: {reason}",
            f"Home watch {code} was declined: {reason}")


def visited(code: str, at: datetime, finding: Finding, note: str | None) -> tuple[str, str]:
    """The officer's note (their own words, in whatever language) follows the English."""
    if finding is Finding.NORMAL:
        th, en = "เรียบร้อยดี", "all in order"
    else:
        th = "พบสิ่งผิดปกติ เจ้าหน้าที่กำลังดำเนินการ"
        en = "something was wrong; officers are on it"
    english = f"Police checked your house ({code}) at {when_en(at)}: {en}"
    return (f"ตำรวจแวะตรวจบ้านที่ฝากไว้ ({code}) เมื่อ {format_thai_datetime(at)} น.: {th}",
            f"{english}\n\n{note}" if note else english)


def closed(code: str) -> tuple[str, str]:
    return (f"ครบกำหนดฝากบ้าน {code} แล้ว ขอบคุณที่ใช้บริการ",
            f"Home watch {code} has ended. Thank you.")
