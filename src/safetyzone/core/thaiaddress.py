"""Thailand's provinces, districts (อำเภอ/เขต) and sub-districts (ตำบล/แขวง) with postcodes.

The list comes from the npm package ``thai-address-database`` (installed by ``npm ci`` with
the console's other packages), not from a copy in this repository: a boundary change is a
package update. Its ``db.json`` is stored compactly: frequent words are replaced by letters
(``A``-``Z`` for the first 26 of ``words``, ``a``-``z`` for the next) and repeated names by
an index into ``lookup``. This module expands it once per process.

An operator typing a caller's address picks from these, so an address on an incident is one
that exists: province, district and sub-district are checked together. The kernel does not
know where ``node_modules`` is: the web layer finds it and hands it in.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "thai-address-database"
DB_FILE = "database/db.json"
_CODED = re.compile(r"[A-Za-z]")


class AddressDataMissing(RuntimeError):
    """``npm ci`` has not been run, or the package's data moved."""


@dataclass(frozen=True, slots=True)
class SubDistrict:
    name: str
    postcodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class District:
    name: str
    sub_districts: tuple[SubDistrict, ...]


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    districts: tuple[District, ...]


def _expand(text: str | int, *, lookup: list[str], words: list[str]) -> str:
    if isinstance(text, int):
        text = lookup[text]

    def word(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        return words[code - 65 if code < 97 else 26 + code - 97]

    return _CODED.sub(word, text)


def parse(raw: dict[str, object]) -> tuple[Province, ...]:
    """The package's compact tree -> provinces, each name spelled out."""
    data = raw["data"]
    assert isinstance(data, list)
    lookup, words = raw.get("lookup"), raw.get("words")
    compact = isinstance(lookup, str) and isinstance(words, str)
    lookups = lookup.split("|") if isinstance(lookup, str) else []
    wordlist = words.split("|") if isinstance(words, str) else []

    def name(text: str | int) -> str:
        return _expand(text, lookup=lookups, words=wordlist) if compact else str(text)
    provinces = []
    for province_name, districts in data:
        parsed_districts = []
        for district_name, subs in districts:
            parsed_subs = []
            for sub_name, codes in subs:
                codes = codes if isinstance(codes, list) else [codes]
                parsed_subs.append(SubDistrict(name(sub_name), tuple(str(c) for c in codes)))
            parsed_districts.append(District(name(district_name), tuple(parsed_subs)))
        provinces.append(Province(name(province_name), tuple(parsed_districts)))
    return tuple(provinces)


@dataclass(frozen=True)
class AddressBook:
    """The provinces, with the lookups a form needs."""

    provinces: tuple[Province, ...]

    def province(self, name: str) -> Province | None:
        return next((p for p in self.provinces if p.name == name), None)

    def district(self, province_name: str, name: str) -> District | None:
        found = self.province(province_name)
        return next((d for d in found.districts if d.name == name), None) if found else None

    def sub_district(self, province_name: str, district_name: str,
                     name: str) -> SubDistrict | None:
        found = self.district(province_name, district_name)
        return (next((s for s in found.sub_districts if s.name == name), None)
                if found else None)


@functools.cache
def load(node_modules: Path) -> AddressBook:
    """Every province, as the installed package has them (read once per process)."""
    path = node_modules / PACKAGE / DB_FILE
    if not path.is_file():
        raise AddressDataMissing(
            f"the Thai address list is missing ({path}): run `npm ci` in the SafetyZone "
            "repository root")
    return AddressBook(parse(json.loads(path.read_text("utf-8"))))
