"""The words a citizen sees exist in Thai and English, and the request enums match them."""

from __future__ import annotations

import enum

import pytest

from safetyzone.citizen import taxonomy as tx
from safetyzone.citizen.taxonomy import Term
from safetyzone.ops.incidents import DISPOSITIONS as INCIDENT_DISPOSITIONS


@pytest.mark.parametrize(("values", "terms"), [
    (tx.ReportCategory, tx.REPORT_CATEGORIES), (tx.TipCategory, tx.TIP_CATEGORIES),
    (tx.Disposition, tx.DISPOSITIONS), (tx.Purpose, tx.PURPOSES)])
def test_enums_and_terms_agree(values: type[enum.StrEnum], terms: tuple[Term, ...]) -> None:
    assert [v.value for v in values] == [t.key for t in terms]


def test_every_term_reads_in_thai_and_english() -> None:
    terms = (*tx.REPORT_CATEGORIES, *tx.TIP_CATEGORIES, *tx.DISPOSITIONS, *tx.STATUSES,
             *tx.PURPOSES)
    for term in terms:
        assert term.th and term.en and term.th != term.en, term
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in term.th), term  # Thai script
    assert [s.key for s in tx.STATUSES] == [s.value for s in tx.ItemState]


def test_the_issue_taxonomy_is_there() -> None:
    assert [t.key for t in tx.REPORT_CATEGORIES] == [
        "theft", "drugs", "gambling", "youths_gathering", "street_light", "abandoned_plot",
        "suspicious_person", "traffic", "other"]


def test_an_emergency_closed_on_the_console_reads_in_thai() -> None:
    keys = {t.key for t in tx.DISPOSITIONS}
    assert keys >= INCIDENT_DISPOSITIONS
