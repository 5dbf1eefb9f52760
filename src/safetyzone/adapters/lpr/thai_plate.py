"""Thai licence plates: normalise what a camera read, know the 77 provinces, list OCR twins.

A Thai plate reads ``กข 1234`` or ``1กข 1234``: an optional leading digit, one to three Thai
consonants (three on some motorcycle and special plates), one to four digits, and the
province written underneath. Cameras send Thai digits (๐-๙) or Arabic ones, spaces or
dashes, and the province as a Thai name, an English name or a code. :func:`normalize_plate`
folds all of that into ``NormalizedPlate(series, number, province_code, canonical)``, with
``canonical`` like ``1กข1234`` (no spaces, Arabic digits) and ``province_code`` the
ISO 3166-2:TH code (``TH-10`` is Bangkok).

Betong (เบตง) is a district of Yala with its own plate registry, not a province: cameras
that print it are mapped to Yala (TH-95).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from safetyzone.adapters.errors import AdapterError, quote

MAX_TEXT = 64


@dataclass(frozen=True)
class Province:
    """One of the 77 provinces (Bangkok counted): ISO 3166-2:TH code, Thai and English name."""

    code: str
    thai: str
    english: str
    aliases: tuple[str, ...] = ()


# ISO 3166-2:TH, Thai names as the Department of Land Transport prints them on plates.
PROVINCES: tuple[Province, ...] = (
    Province("TH-10", "กรุงเทพมหานคร", "Bangkok",
             ("กทม", "กรุงเทพ", "Krung Thep Maha Nakhon", "Krung Thep", "BKK")),
    Province("TH-11", "สมุทรปราการ", "Samut Prakan", ("Samut Prakarn",)),
    Province("TH-12", "นนทบุรี", "Nonthaburi"),
    Province("TH-13", "ปทุมธานี", "Pathum Thani"),
    Province("TH-14", "พระนครศรีอยุธยา", "Phra Nakhon Si Ayutthaya", ("อยุธยา", "Ayutthaya")),
    Province("TH-15", "อ่างทอง", "Ang Thong"),
    Province("TH-16", "ลพบุรี", "Lop Buri"),
    Province("TH-17", "สิงห์บุรี", "Sing Buri"),
    Province("TH-18", "ชัยนาท", "Chai Nat"),
    Province("TH-19", "สระบุรี", "Saraburi"),
    Province("TH-20", "ชลบุรี", "Chon Buri"),
    Province("TH-21", "ระยอง", "Rayong"),
    Province("TH-22", "จันทบุรี", "Chanthaburi"),
    Province("TH-23", "ตราด", "Trat"),
    Province("TH-24", "ฉะเชิงเทรา", "Chachoengsao"),
    Province("TH-25", "ปราจีนบุรี", "Prachin Buri"),
    Province("TH-26", "นครนายก", "Nakhon Nayok"),
    Province("TH-27", "สระแก้ว", "Sa Kaeo"),
    Province("TH-30", "นครราชสีมา", "Nakhon Ratchasima", ("โคราช", "Korat")),
    Province("TH-31", "บุรีรัมย์", "Buri Ram"),
    Province("TH-32", "สุรินทร์", "Surin"),
    Province("TH-33", "ศรีสะเกษ", "Si Sa Ket"),
    Province("TH-34", "อุบลราชธานี", "Ubon Ratchathani"),
    Province("TH-35", "ยโสธร", "Yasothon"),
    Province("TH-36", "ชัยภูมิ", "Chaiyaphum"),
    Province("TH-37", "อำนาจเจริญ", "Amnat Charoen"),
    Province("TH-38", "บึงกาฬ", "Bueng Kan"),
    Province("TH-39", "หนองบัวลำภู", "Nong Bua Lam Phu"),
    Province("TH-40", "ขอนแก่น", "Khon Kaen"),
    Province("TH-41", "อุดรธานี", "Udon Thani"),
    Province("TH-42", "เลย", "Loei"),
    Province("TH-43", "หนองคาย", "Nong Khai"),
    Province("TH-44", "มหาสารคาม", "Maha Sarakham"),
    Province("TH-45", "ร้อยเอ็ด", "Roi Et"),
    Province("TH-46", "กาฬสินธุ์", "Kalasin"),
    Province("TH-47", "สกลนคร", "Sakon Nakhon"),
    Province("TH-48", "นครพนม", "Nakhon Phanom"),
    Province("TH-49", "มุกดาหาร", "Mukdahan"),
    Province("TH-50", "เชียงใหม่", "Chiang Mai"),
    Province("TH-51", "ลำพูน", "Lamphun"),
    Province("TH-52", "ลำปาง", "Lampang"),
    Province("TH-53", "อุตรดิตถ์", "Uttaradit"),
    Province("TH-54", "แพร่", "Phrae"),
    Province("TH-55", "น่าน", "Nan"),
    Province("TH-56", "พะเยา", "Phayao"),
    Province("TH-57", "เชียงราย", "Chiang Rai"),
    Province("TH-58", "แม่ฮ่องสอน", "Mae Hong Son"),
    Province("TH-60", "นครสวรรค์", "Nakhon Sawan"),
    Province("TH-61", "อุทัยธานี", "Uthai Thani"),
    Province("TH-62", "กำแพงเพชร", "Kamphaeng Phet"),
    Province("TH-63", "ตาก", "Tak"),
    Province("TH-64", "สุโขทัย", "Sukhothai"),
    Province("TH-65", "พิษณุโลก", "Phitsanulok"),
    Province("TH-66", "พิจิตร", "Phichit"),
    Province("TH-67", "เพชรบูรณ์", "Phetchabun"),
    Province("TH-70", "ราชบุรี", "Ratchaburi"),
    Province("TH-71", "กาญจนบุรี", "Kanchanaburi"),
    Province("TH-72", "สุพรรณบุรี", "Suphan Buri"),
    Province("TH-73", "นครปฐม", "Nakhon Pathom"),
    Province("TH-74", "สมุทรสาคร", "Samut Sakhon"),
    Province("TH-75", "สมุทรสงคราม", "Samut Songkhram"),
    Province("TH-76", "เพชรบุรี", "Phetchaburi"),
    Province("TH-77", "ประจวบคีรีขันธ์", "Prachuap Khiri Khan"),
    Province("TH-80", "นครศรีธรรมราช", "Nakhon Si Thammarat"),
    Province("TH-81", "กระบี่", "Krabi"),
    Province("TH-82", "พังงา", "Phang Nga"),
    Province("TH-83", "ภูเก็ต", "Phuket"),
    Province("TH-84", "สุราษฎร์ธานี", "Surat Thani"),
    Province("TH-85", "ระนอง", "Ranong"),
    Province("TH-86", "ชุมพร", "Chumphon"),
    Province("TH-90", "สงขลา", "Songkhla"),
    Province("TH-91", "สตูล", "Satun"),
    Province("TH-92", "ตรัง", "Trang"),
    Province("TH-93", "พัทลุง", "Phatthalung"),
    Province("TH-94", "ปัตตานี", "Pattani"),
    Province("TH-95", "ยะลา", "Yala", ("เบตง", "Betong")),
    Province("TH-96", "นราธิวาส", "Narathiwat"),
)

# Characters OCR mixes up on Thai plates; each group's members are swapped one at a time.
CONFUSABLES: tuple[tuple[str, str], ...] = (
    ("ขช", "Thai look-alike"),
    ("ชซ", "Thai look-alike"),
    ("คดต", "Thai look-alike"),
    ("บปษ", "Thai look-alike"),
    ("ผฝ", "Thai look-alike"),
    ("พฟ", "Thai look-alike"),
    ("ถภ", "Thai look-alike"),
    ("ฎฏ", "Thai look-alike"),
    ("มนฆ", "Thai look-alike"),
    ("อฮ", "Thai look-alike"),
    ("08", "digit look-alike"),
    ("17", "digit look-alike"),
    ("56", "digit look-alike"),
)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[\s\-_.·/|:,ฯ]+")
_PROVINCE_WORDS = re.compile(r"^(?:จังหวัด|changwat)|province$")
# The 42 consonants in use: ก-ฮ without the obsolete ฃ, ฅ and the vowel letters ฤ, ฦ.
_CONSONANT = "[ก-ขคฆ-รลว-ฮ]"
_PLATE = re.compile(
    rf"(?P<lead>[0-9]?)(?P<letters>{_CONSONANT}{{1,3}})(?P<number>[0-9]{{1,4}})(?P<rest>.*)",
    re.DOTALL,
)
_CANONICAL = re.compile(rf"[0-9]?{_CONSONANT}{{1,3}}[0-9]{{1,4}}")


@dataclass(frozen=True)
class NormalizedPlate:
    """A plate folded for matching: ``canonical`` = ``series`` + ``number``, no spaces."""

    series: str
    number: str
    province_code: str | None
    canonical: str


def _key(text: str) -> str:
    """Lookup key for a province name or code: case, spaces, dashes, 'จังหวัด' dropped."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFC", text)).casefold()
    return _PROVINCE_WORDS.sub("", compact)


_BY_KEY: dict[str, Province] = {
    _key(name): province
    for province in PROVINCES
    for name in (province.code, province.thai, province.english, *province.aliases)
}


def find_province(text: str) -> Province | None:
    """The province named by a Thai name, English name, alias or ISO code; None if unknown."""
    if len(text) > MAX_TEXT:
        return None
    key = _key(text)
    found = _BY_KEY.get(key)
    if found is None and key.startswith("จ"):  # "จ.ภูเก็ต": จ. abbreviates จังหวัด
        found = _BY_KEY.get(key[1:])
    return found


def normalize_plate(text: str, province: str | None = None) -> NormalizedPlate:
    """Fold a camera's plate text (and province, if sent apart) into a NormalizedPlate."""
    if len(text) > MAX_TEXT:
        raise AdapterError(f"plate text is longer than {MAX_TEXT} characters")
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFC", text).translate(_THAI_DIGITS))
    match = _PLATE.fullmatch(compact)
    if match is None:
        raise AdapterError(
            f"{quote(text)} is not a Thai plate (expected e.g. 'กข 1234' or '1กข 1234')"
        )
    province_code = None
    if province is not None and province.strip():
        found = find_province(province)
        province_code = found.code if found else None
    if match["rest"]:
        trailing = find_province(match["rest"])
        if trailing is None:
            raise AdapterError(f"{quote(text)} has unexpected text after the plate number")
        province_code = province_code or trailing.code
    series = match["lead"] + match["letters"]
    return NormalizedPlate(series, match["number"], province_code, series + match["number"])


def ocr_variants(canonical: str) -> list[tuple[str, str]]:
    """Every plate one OCR confusion away from ``canonical``, with the reason, in order.

    Thai digits (๐ for 0 and so on) need no variant: :func:`normalize_plate` folds them.
    """
    if not _CANONICAL.fullmatch(canonical):
        raise AdapterError(f"{quote(canonical)} is not a canonical Thai plate like '1กข1234'")
    variants: list[tuple[str, str]] = []
    seen = {canonical}
    for index, char in enumerate(canonical):
        for group, kind in CONFUSABLES:
            if char not in group:
                continue
            for other in group:
                variant = canonical[:index] + other + canonical[index + 1 :]
                if variant not in seen:
                    seen.add(variant)
                    variants.append((variant, f"{char}→{other} ({kind}) at position {index + 1}"))
    return variants
