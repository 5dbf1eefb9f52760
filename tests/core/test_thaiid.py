"""The Thai national ID check digit: right numbers pass, typos and garbage do not."""

from __future__ import annotations

import pytest

from safetyzone.core.thaiid import check_digit, mask_thai_id, normalize_thai_id, thai_id_valid

# Built digit by digit: 1 1037 02071 81 -> weights 13..2 give 1*13+1*12+0*11+3*10+7*9+0*8+
# 2*7+0*6+7*5+1*4+8*3+1*2 = 197; 197 % 11 = 10; (11 - 10) % 10 = 1.
KNOWN = "1103702071811"


def test_check_digit_by_hand() -> None:
    assert check_digit(KNOWN[:12]) == 1
    assert thai_id_valid(KNOWN)


@pytest.mark.parametrize("wrong", [
    "1103702071812",  # last digit off by one
    "1103702071181",  # two neighbours swapped
    "110370207181",  # 12 digits
    "11037020718111",  # 14 digits
    "0103702071811",  # category 0 is never a person's
    "1103702O71811",  # letter O for zero
    "１１０３７０２０７１８１１",  # full-width digits
    "", "abcdefghijklm", "1103702071811\n",
])
def test_garbage_and_typos_are_refused(wrong: str) -> None:
    assert not thai_id_valid(wrong)


def test_most_single_digit_typos_are_caught() -> None:
    # The third digit weighs 11: the sum modulo 11 never sees it. Elsewhere only the fold of
    # sums 0 and 10 to one check digit lets a typo through (1 -> 7 in front here).
    typos = [KNOWN[:i] + d + KNOWN[i + 1:] for i in range(13) if i != 2
             for d in "0123456789" if d != KNOWN[i] and (i or d != "0")]
    passed = [t for t in typos if thai_id_valid(t)]
    assert len(passed) / len(typos) < 0.1, passed
    assert "7103702071811" in passed
    assert all(thai_id_valid(KNOWN[:2] + d + KNOWN[3:]) for d in "0123456789")


def test_separators_people_type() -> None:
    assert normalize_thai_id("1-1037-02071-81-1") == KNOWN
    assert normalize_thai_id("1 1037 02071 81 1") == KNOWN
    assert mask_thai_id(KNOWN) == "X-XXXX-XXXXX-81-1"
