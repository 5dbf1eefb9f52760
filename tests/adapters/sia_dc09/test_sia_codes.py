"""The code tables: well-formed rows and the mappings an operator relies on."""

from __future__ import annotations

import pytest

from safetyzone.adapters.sia_dc09.codes import (
    _CID_ROWS,
    _SIA_ROWS,
    CID_CODES,
    CID_QUALIFIERS,
    HEARTBEAT,
    SIA_CODES,
)
from safetyzone.core.events import AlarmCategory

OUTCOMES = {*AlarmCategory, HEARTBEAT}


def test_rows_are_unique_and_well_formed() -> None:
    assert len(SIA_CODES) == len(_SIA_ROWS)
    assert len(CID_CODES) == len(_CID_ROWS)
    for code in SIA_CODES.values():
        assert len(code.code) == 2 and code.code.isalpha() and code.code.isupper()
        assert code.outcome in OUTCOMES and code.description
    for cid in CID_CODES.values():
        assert len(cid.code) == 3 and cid.code.isdigit()
        assert cid.new in OUTCOMES and cid.restore in OUTCOMES and cid.description
    assert set(CID_QUALIFIERS) == {"1", "3", "6"}


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("BA", AlarmCategory.BURGLARY), ("PA", AlarmCategory.PANIC),
        ("HA", AlarmCategory.HOLD_UP), ("FA", AlarmCategory.FIRE),
        ("MA", AlarmCategory.MEDICAL), ("TA", AlarmCategory.TAMPER),
        ("OP", AlarmCategory.OPEN), ("CL", AlarmCategory.CLOSE),
        ("BR", AlarmCategory.RESTORE), ("PR", AlarmCategory.RESTORE),
        ("HR", AlarmCategory.RESTORE), ("FR", AlarmCategory.RESTORE),
        ("MR", AlarmCategory.RESTORE), ("TR", AlarmCategory.RESTORE),
        ("RX", AlarmCategory.TEST), ("YT", AlarmCategory.TROUBLE), ("RP", HEARTBEAT),
    ],
)
def test_sia_mapping(code: str, outcome: str) -> None:
    assert SIA_CODES[code].outcome == outcome


@pytest.mark.parametrize(
    ("code", "new", "restore"),
    [
        ("100", AlarmCategory.MEDICAL, AlarmCategory.RESTORE),
        ("110", AlarmCategory.FIRE, AlarmCategory.RESTORE),
        ("120", AlarmCategory.PANIC, AlarmCategory.RESTORE),
        ("121", AlarmCategory.DURESS, AlarmCategory.RESTORE),
        ("122", AlarmCategory.PANIC, AlarmCategory.RESTORE),
        ("123", AlarmCategory.PANIC, AlarmCategory.RESTORE),
        ("130", AlarmCategory.BURGLARY, AlarmCategory.RESTORE),
        ("137", AlarmCategory.TAMPER, AlarmCategory.RESTORE),
        ("401", AlarmCategory.OPEN, AlarmCategory.CLOSE),
        ("402", AlarmCategory.OPEN, AlarmCategory.CLOSE),
        ("602", HEARTBEAT, HEARTBEAT),
    ],
)
def test_contact_id_mapping(code: str, new: str, restore: str) -> None:
    assert (CID_CODES[code].new, CID_CODES[code].restore) == (new, restore)


def test_every_alarm_category_but_duress_has_a_sia_code() -> None:
    """SIA DC-03 has no duress code (panels send hold-up); Contact ID 121 covers it."""
    used = {code.outcome for code in SIA_CODES.values()}
    assert set(AlarmCategory) - used == {AlarmCategory.DURESS}
