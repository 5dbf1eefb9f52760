"""The words of lost-document reports, Thai first with English: document kinds, the
consent text, and how a name is masked for the public verify page."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from safetyzone.core.thai import BE_OFFSET


class LostDocKind(enum.StrEnum):
    ID_CARD = "id_card"
    PASSPORT = "passport"
    DRIVING_LICENCE = "driving_licence"
    VEHICLE_REGISTRATION = "vehicle_registration"
    BANK_BOOK = "bank_book"
    ATM_CARD = "atm_card"
    HOUSE_REGISTRATION = "house_registration"
    OTHER = "other"


@dataclass(frozen=True)
class Term:
    key: str
    th: str
    en: str


KINDS: dict[LostDocKind, Term] = {k: Term(k.value, th, en) for k, th, en in (
    (LostDocKind.ID_CARD, "บัตรประจำตัวประชาชน", "National ID card"),
    (LostDocKind.PASSPORT, "หนังสือเดินทาง", "Passport"),
    (LostDocKind.DRIVING_LICENCE, "ใบอนุญาตขับรถ", "Driving licence"),
    (LostDocKind.VEHICLE_REGISTRATION, "สมุดคู่มือจดทะเบียนรถ", "Vehicle registration book"),
    (LostDocKind.BANK_BOOK, "สมุดบัญชีเงินฝากธนาคาร", "Bank book"),
    (LostDocKind.ATM_CARD, "บัตรเอทีเอ็ม", "ATM card"),
    (LostDocKind.HOUSE_REGISTRATION, "ทะเบียนบ้าน", "House registration"),
    (LostDocKind.OTHER, "เอกสารอื่น", "Other document"),
)}

CONSENT_VERSION = "lostdoc-2026-1"
CONSENT_TH = ("ข้าพเจ้ายินยอมให้สถานีตำรวจเก็บชื่อ เลขประจำตัวประชาชน และหมายเลขโทรศัพท์ของข้าพเจ้า "
              "เพื่อออกใบรับแจ้งเอกสารหายและตรวจสอบความถูกต้องของใบรับแจ้ง")
CONSENT_EN = ("I agree that the police station keeps my name, national ID number and phone "
              "number to issue a lost-document certificate and to verify it.")

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
_LEADING_VOWELS = set("เแโใไ")


def thai_date(value: date) -> str:
    """A date as a Thai document writes it: ``1 ธันวาคม 2569`` (Buddhist Era)."""
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + BE_OFFSET}"


def kind_label(kind: str, detail: str | None = None) -> tuple[str, str]:
    term = KINDS[LostDocKind(kind)]
    if detail:
        return f"{term.th} ({detail})", f"{term.en} ({detail})"
    return term.th, term.en


def mask_name(name: str) -> str:
    """The first letter of each word (with its leading vowel, for Thai), the rest hidden:
    ``นางสาวน้ำฝน ใจดี`` -> ``น*** ใจ***``; enough to recognise, not to learn a name."""
    out = []
    for word in name.split():
        keep = 2 if word[0] in _LEADING_VOWELS and len(word) > 1 else 1
        out.append(word[:keep] + "***")
    return " ".join(out)
