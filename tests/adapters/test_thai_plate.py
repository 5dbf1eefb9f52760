"""Thai plate normalisation, the 77-province table, and OCR look-alike variants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.lpr.thai_plate import (
    PROVINCES,
    NormalizedPlate,
    find_province,
    normalize_plate,
    ocr_variants,
)

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# ISO 3166-2:TH: TH-10 Bangkok (special administrative area) and the 76 provinces.
# Checked against pycountry's subdivision data; TH-S (Pattaya city) is not a province.
ISO_CODES = {
    "TH-10", "TH-11", "TH-12", "TH-13", "TH-14", "TH-15", "TH-16", "TH-17", "TH-18", "TH-19",
    "TH-20", "TH-21", "TH-22", "TH-23", "TH-24", "TH-25", "TH-26", "TH-27", "TH-30", "TH-31",
    "TH-32", "TH-33", "TH-34", "TH-35", "TH-36", "TH-37", "TH-38", "TH-39", "TH-40", "TH-41",
    "TH-42", "TH-43", "TH-44", "TH-45", "TH-46", "TH-47", "TH-48", "TH-49", "TH-50", "TH-51",
    "TH-52", "TH-53", "TH-54", "TH-55", "TH-56", "TH-57", "TH-58", "TH-60", "TH-61", "TH-62",
    "TH-63", "TH-64", "TH-65", "TH-66", "TH-67", "TH-70", "TH-71", "TH-72", "TH-73", "TH-74",
    "TH-75", "TH-76", "TH-77", "TH-80", "TH-81", "TH-82", "TH-83", "TH-84", "TH-85", "TH-86",
    "TH-90", "TH-91", "TH-92", "TH-93", "TH-94", "TH-95", "TH-96",
}


def test_the_province_table_is_complete_and_unambiguous() -> None:
    assert len(PROVINCES) == 77
    assert {p.code for p in PROVINCES} == ISO_CODES
    assert len({p.thai for p in PROVINCES}) == 77
    assert len({p.english for p in PROVINCES}) == 77
    for province in PROVINCES:  # no name of one province is the alias of another
        for name in (province.code, province.thai, province.english, *province.aliases):
            assert find_province(name) == province, name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("กรุงเทพมหานคร", "TH-10"), ("กรุงเทพฯ", "TH-10"), ("กทม.", "TH-10"),
        ("Bangkok", "TH-10"), ("BANGKOK", "TH-10"), ("th-10", "TH-10"), ("TH10", "TH-10"),
        ("เชียงใหม่", "TH-50"), ("จังหวัดเชียงใหม่", "TH-50"), ("จ.เชียงใหม่", "TH-50"),
        ("Chiang Mai", "TH-50"), ("Chiangmai", "TH-50"), ("Chiang Mai Province", "TH-50"),
        ("จันทบุรี", "TH-22"), ("จ.จันทบุรี", "TH-22"),
        ("Chonburi", "TH-20"), ("Chon Buri", "TH-20"), ("Sisaket", "TH-33"),
        ("Buriram", "TH-31"), ("Phangnga", "TH-82"), ("Ayutthaya", "TH-14"),
        ("โคราช", "TH-30"), ("ภูเก็ต", "TH-83"), ("บึงกาฬ", "TH-38"),
        ("เบตง", "TH-95"), ("Betong", "TH-95"),  # Betong plates: a Yala district, not a province
    ],
)
def test_find_province(text: str, code: str) -> None:
    found = find_province(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("text", ["", "Atlantis", "10", "ไม่ทราบ", "unknown", "TH-S", "x" * 100])
def test_unknown_provinces_are_none(text: str) -> None:
    assert find_province(text) is None


def test_betong_is_not_a_province() -> None:
    assert all(p.thai != "เบตง" and p.english != "Betong" for p in PROVINCES)


@pytest.mark.parametrize(
    ("text", "province", "expected"),
    [
        ("กข 1234", None, NormalizedPlate("กข", "1234", None, "กข1234")),
        ("1กข 1234", None, NormalizedPlate("1กข", "1234", None, "1กข1234")),
        ("๑กข ๑๒๓๔", "กรุงเทพมหานคร", NormalizedPlate("1กข", "1234", "TH-10", "1กข1234")),
        ("1กข-1234", "Bangkok", NormalizedPlate("1กข", "1234", "TH-10", "1กข1234")),
        ("1 กข 1234", "TH-50", NormalizedPlate("1กข", "1234", "TH-50", "1กข1234")),
        ("ก 9", None, NormalizedPlate("ก", "9", None, "ก9")),
        ("8กผ444", None, NormalizedPlate("8กผ", "444", None, "8กผ444")),
        ("กขค 123", None, NormalizedPlate("กขค", "123", None, "กขค123")),
        ("กข 1234 กรุงเทพมหานคร", None, NormalizedPlate("กข", "1234", "TH-10", "กข1234")),
        ("กข1234 จ.ภูเก็ต", None, NormalizedPlate("กข", "1234", "TH-83", "กข1234")),
        ("กข 1234", "Atlantis", NormalizedPlate("กข", "1234", None, "กข1234")),
        ("กข 1234", "", NormalizedPlate("กข", "1234", None, "กข1234")),
        ("กข 1234 ภูเก็ต", "Chiang Mai", NormalizedPlate("กข", "1234", "TH-50", "กข1234")),
    ],
)
def test_normalize_plate(text: str, province: str | None, expected: NormalizedPlate) -> None:
    assert normalize_plate(text, province) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a Thai plate"),
        ("ABC1234", "not a Thai plate"),
        ("กข", "not a Thai plate"),
        ("1234", "not a Thai plate"),
        ("กขคง 1234", "not a Thai plate"),  # four consonants
        ("กข 12345", "unexpected text"),  # five digits
        ("12กข 1234", "not a Thai plate"),
        ("ฃข 1234", "not a Thai plate"),  # obsolete consonant, never on a plate
        ("กิ 1234", "not a Thai plate"),  # a vowel sign
        ("กข 1234 xyz", "unexpected text"),
        ("ก" * 100, "longer than 64"),
    ],
)
def test_garbage_is_refused(text: str, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        normalize_plate(text)


def test_ocr_variants_list_one_confusion_each_with_a_reason() -> None:
    variants = dict(ocr_variants("1กข1234"))
    assert variants == {
        "7กข1234": "1→7 (digit look-alike) at position 1",
        "1กช1234": "ข→ช (Thai look-alike) at position 3",
        "1กข7234": "1→7 (digit look-alike) at position 4",
    }
    many = dict(ocr_variants("บด5680"))
    assert set(many) == {"ปด5680", "ษด5680", "บค5680", "บต5680", "บด6680", "บด5580",
                         "บด5600", "บด5688"}
    assert "Thai look-alike" in many["บค5680"] and "digit look-alike" in many["บด5688"]


@pytest.mark.parametrize("text", ["", "กข 1234", "ABC", "1กข12345"])
def test_ocr_variants_needs_a_canonical_plate(text: str) -> None:
    with pytest.raises(AdapterError, match="not a canonical Thai plate"):
        ocr_variants(text)


CONSONANTS = "กขคฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
PLATES = st.tuples(
    st.sampled_from(["", *"123456789"]),
    st.text(alphabet=CONSONANTS, min_size=1, max_size=3),
    st.integers(min_value=1, max_value=9999).map(str),
)


@FUZZ
@given(PLATES, st.sampled_from(["", " ", "-", " - ", "."]), st.booleans(),
       st.sampled_from(PROVINCES))
def test_any_spelling_of_a_plate_folds_to_one_canonical(
    parts: tuple[str, str, str], gap: str, thai_digits: bool, province: object
) -> None:
    lead, letters, number = parts
    text = f"{lead}{letters}{gap}{number}"
    if thai_digits:
        text = text.translate(THAI_DIGITS)
    name = province.english if hasattr(province, "english") else ""
    plate = normalize_plate(text, name)
    assert plate.canonical == lead + letters + number
    assert plate.series + plate.number == plate.canonical
    assert plate.province_code == getattr(province, "code", None)


@FUZZ
@given(PLATES)
def test_ocr_variants_are_symmetric_canonical_plates(parts: tuple[str, str, str]) -> None:
    canonical = "".join(parts)
    for variant, reason in ocr_variants(canonical):
        assert variant != canonical and len(variant) == len(canonical) and reason
        assert normalize_plate(variant).canonical == variant
        assert canonical in dict(ocr_variants(variant))


@FUZZ
@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=80)))
def test_random_text_is_refused_or_normalized(text: str, province: str | None) -> None:
    try:
        plate = normalize_plate(text, province)
    except AdapterError as err:
        refusal = err
    else:
        assert plate.canonical == plate.series + plate.number
        return
    assert refusal.detail
    find_province(text)  # never raises
