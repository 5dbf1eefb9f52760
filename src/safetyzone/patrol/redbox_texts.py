"""Why a check-in was refused, in words an officer acts on: Thai first, then English.

Each message says what happened and what to do next, with the figures that matter (how
far, how inaccurate, how long ago), because the officer reads it standing at the box.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Reason(enum.StrEnum):
    """Refusal reasons, in the order they are decided (the first that applies wins)."""

    FORGED = "forged"
    EXPIRED = "expired"
    STALE = "stale"
    OFF_SHIFT = "off_shift"
    POOR_ACCURACY = "poor_accuracy"
    TOO_FAR = "too_far"
    REPLAYED = "replayed"
    REPEAT = "repeat"


@dataclass(frozen=True)
class Facts:
    """The figures a message may quote; each is ``None`` when the case did not get there."""

    distance_m: float | None = None
    radius_m: float | None = None
    accuracy_m: float | None = None
    max_accuracy_m: float | None = None
    max_delay_min: int | None = None
    ahead_min: int | None = None         # how far the phone's clock runs ahead
    old_version: int | None = None       # the printed sheet's key version
    version: int | None = None           # the box's key version now
    mode_changed: bool = False           # the box's key changed mode since the code was made
    since_min: int | None = None         # the unit's last check-in at this box, minutes ago
    repeat_min: int | None = None


def _m(value: float | None) -> str:
    return f"{round(value or 0):,}"


def _expired(f: Facts) -> tuple[str, str]:
    if f.old_version is not None:
        return (f"QR นี้ถูกยกเลิกแล้ว (รุ่น {f.old_version} ปัจจุบันรุ่น {f.version}) "
                "แจ้งสถานีให้ติดแผ่น QR ใหม่ที่ตู้แดง",
                f"This QR code has been replaced (version {f.old_version}, now {f.version}): "
                "ask the station to put up the new sheet at this red box.")
    if f.mode_changed:
        return ("ตู้แดงนี้เปลี่ยนรหัสแล้ว รหัสที่สแกนใช้ไม่ได้ แจ้งสถานี",
                "This red box's key was changed, so the scanned code no longer works: "
                "tell the station.")
    return ("รหัสบนจอหมดอายุแล้ว สแกนรหัสปัจจุบันบนจอตู้แดงอีกครั้ง",
            "The code on the screen has expired: scan the current code on the red box "
            "screen again.")


def _stale(f: Facts) -> tuple[str, str]:
    if f.ahead_min is not None:
        return (f"เวลาในโทรศัพท์ไม่ตรง (เร็วไป {f.ahead_min} นาที) ตั้งเวลาเป็นอัตโนมัติ "
                "แล้วสแกนใหม่",
                f"Your phone's clock is {f.ahead_min} minutes ahead: set it to automatic time "
                "and scan again.")
    return (f"สแกนไว้นานเกิน {f.max_delay_min} นาที ส่งลงชื่อย้อนหลังไม่ได้ สแกนตู้แดงใหม่",
            f"Scanned more than {f.max_delay_min} minutes ago, too late to count: scan the "
            "red box again.")


def message(reason: Reason | None, facts: Facts) -> tuple[str, str]:
    """(Thai, English) for a refusal, or for an accepted check-in when ``reason`` is None."""
    f = facts
    if reason is None:
        return (f"ลงชื่อที่ตู้แดงเรียบร้อย (ห่าง {_m(f.distance_m)} ม.)",
                f"Checked in at the red box ({_m(f.distance_m)} m away).")
    if reason is Reason.FORGED:
        return ("รหัสนี้ไม่ใช่ QR ตู้แดงที่ใช้ได้ในสถานีของท่าน ตรวจว่าสแกนตู้แดงถูกตู้ "
                "หรือแจ้งศูนย์",
                "This is not a valid red box code for your station: check that you scanned "
                "the right red box, or tell the command center.")
    if reason is Reason.EXPIRED:
        return _expired(f)
    if reason is Reason.STALE:
        return _stale(f)
    if reason is Reason.OFF_SHIFT:
        return ("ท่านยังไม่ได้เข้าเวร เริ่มเวรกับหน่วยของท่านก่อน แล้วสแกนใหม่",
                "You are not on shift: start a shift with your unit, then scan again.")
    if reason is Reason.POOR_ACCURACY:
        return (f"สัญญาณ GPS ยังไม่แม่นพอ (คลาดเคลื่อน {_m(f.accuracy_m)} ม. ต้องไม่เกิน "
                f"{_m(f.max_accuracy_m)} ม.) รอสักครู่ในที่โล่งแล้วสแกนใหม่",
                f"GPS is not accurate enough (±{_m(f.accuracy_m)} m, must be within "
                f"{_m(f.max_accuracy_m)} m): wait a moment in the open and scan again.")
    if reason is Reason.TOO_FAR:
        return (f"อยู่ห่างจากตู้แดง {_m(f.distance_m)} ม. ต้องอยู่ภายใน {_m(f.radius_m)} ม.",
                f"You are {_m(f.distance_m)} m from the red box; you must be within "
                f"{_m(f.radius_m)} m.")
    if reason is Reason.REPLAYED:
        return ("รหัสนี้ถูกใช้ลงชื่อที่ตู้แดงนี้ไปแล้ว รอรหัสใหม่บนจอแล้วสแกนอีกครั้ง",
                "This code was already used at this red box: wait for the next code on the "
                "screen and scan again.")
    when_th = "เมื่อไม่นานนี้" if f.since_min is None else f"เมื่อ {f.since_min} นาทีก่อน"
    when_en = "recently" if f.since_min is None else f"{f.since_min} minutes ago"
    return (f"หน่วยของท่านลงชื่อที่ตู้แดงนี้ไปแล้ว{when_th} "
            f"ลงชื่อครั้งต่อไปได้เมื่อครบ {f.repeat_min} นาที",
            f"Your unit checked in at this red box {when_en}; the next check-in counts "
            f"after {f.repeat_min} minutes.")
