"""The scoring arithmetic of zone selection, on plain inputs (no database): what a candidate
counts under each criterion, put per km², scaled against the station's other candidates,
weighted and summed. Every step is kept in the output so the table shows how a score came.

For each criterion c and candidate i::

    density[c][i]    = count[c][i] / area_km2[i]
    normalized[c][i] = density[c][i] / max_j density[c][j]     (0 when every density is 0)
    contribution     = weight[c] * normalized[c][i]            (weights scaled to sum 1)
    score[i]         = sum over c of contribution

Risk is itself two parts: records per km² (normalized as above) and the share of the
candidate's area inside Gi* hot cells (normalized the same way), mixed by ``hotspot_share``:
``risk = (1 - s) * records_normalized + s * hot_normalized``. When no candidate touches a hot
cell, s is taken as 0 (the hot part would be 0 for all and cap every risk below 1).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.measure.zoneselect_schemas import (
    CandidateScore,
    EnteredCount,
    PlaceCount,
    PlacesScore,
    RiskScore,
)

CRITERIA = ("risk", "landmark", "economic")
# Which criterion a registered place (org landmark) counts under, by its kind. The seeds
# name temples, shrines, malls, parks, hotels, museums and road junctions as landmarks
# (seed 001 lists a shopping mall under Landmark) and markets, convenience stores and banks
# as economic sites; schools, government offices and tourist sites are landmarks in the
# program's criteria. A kind in neither set is listed, not scored.
LANDMARK_KINDS = frozenset({
    "temple", "shrine", "church", "mosque", "park", "hotel", "museum", "junction", "school",
    "university", "government", "hospital", "tourist_site", "monument", "mall", "stadium",
    "landmark"})
ECONOMIC_KINDS = frozenset({
    "market", "convenience_store", "bank", "shop", "commercial", "business",
    "department_store", "gold_shop", "restaurant", "office", "factory"})
DIGITS = 6


def criterion_of(kind: str) -> str | None:
    if kind in LANDMARK_KINDS:
        return "landmark"
    if kind in ECONOMIC_KINDS:
        return "economic"
    return None


@dataclass(frozen=True)
class Place:
    """A registered place (an org landmark) inside a candidate."""

    kind: str
    name: str


@dataclass
class CandidateInput:
    """What one candidate holds: its area, its records and hot share, its places."""

    id: uuid.UUID
    name_th: str
    name_en: str
    area_km2: float
    records: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    hot_share: float = 0.0
    places: list[Place] = field(default_factory=list)
    entered: list[EnteredCount] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    risk: float
    landmark: float
    economic: float
    hotspot_share: float

    def normalized(self) -> dict[str, float]:
        """The three weights scaled to sum to 1; refused when they are all 0."""
        values = {"risk": self.risk, "landmark": self.landmark, "economic": self.economic}
        total = sum(values.values())
        if not total > 0:
            raise InvalidInput("at least one weight must be above 0",
                               [Problem("all three weights are 0", c) for c in CRITERIA])
        return {k: v / total for k, v in values.items()}


def place_counts(candidate: CandidateInput) -> tuple[dict[str, list[PlaceCount]],
                                                     list[PlaceCount]]:
    """Per criterion, the kinds counted (registered and entered), and the unclassified.

    An entered count of a kind replaces the registry's count of that kind under the same
    criterion (the document counted what the registry may hold only partly): the registry's
    row stays in the list with ``used`` false."""
    registered: dict[tuple[str | None, str], list[str]] = {}
    for place in candidate.places:
        registered.setdefault((criterion_of(place.kind), place.kind), []).append(place.name)
    entered = {(e.criterion, e.kind) for e in candidate.entered}
    out: dict[str, list[PlaceCount]] = {"landmark": [], "economic": []}
    unclassified: list[PlaceCount] = []
    for (criterion, kind), names in sorted(registered.items(), key=lambda kv: (
            str(kv[0][0]), kv[0][1])):
        row = PlaceCount(criterion=criterion or "", kind=kind, count=len(names),
                         origin="registered", used=(criterion, kind) not in entered,
                         names=sorted(names))
        if criterion is None:
            unclassified.append(row.model_copy(update={"used": False}))
        else:
            out[criterion].append(row)
    for item in candidate.entered:
        out[item.criterion].append(PlaceCount(
            criterion=item.criterion, kind=item.kind, count=item.count, origin="entered",
            used=True, source=item.source, note=item.note))
    return out, unclassified


def _scaled(values: Sequence[float]) -> list[float]:
    top = max(values, default=0.0)
    return [v / top if top > 0 else 0.0 for v in values]


def score(candidates: Sequence[CandidateInput], weights: Weights) -> list[CandidateScore]:
    """Every candidate's breakdown and score, best first (ties share a rank)."""
    w = weights.normalized()
    if not candidates:
        return []
    for c in candidates:
        if not c.area_km2 > 0:
            raise ValueError(f"candidate {c.id} has no area")
    counted = [place_counts(c) for c in candidates]
    totals = {crit: [sum(p.count for p in rows[crit] if p.used) for rows, _ in counted]
              for crit in ("landmark", "economic")}
    densities = {
        "records": [c.records / c.area_km2 for c in candidates],
        "hot": [c.hot_share for c in candidates],
        "landmark": [n / c.area_km2 for n, c in zip(totals["landmark"], candidates,
                                                     strict=True)],
        "economic": [n / c.area_km2 for n, c in zip(totals["economic"], candidates,
                                                     strict=True)],
    }
    scaled = {k: _scaled(v) for k, v in densities.items()}
    share = weights.hotspot_share if max(densities["hot"]) > 0 else 0.0
    rows = []
    for i, c in enumerate(candidates):
        risk_norm = (1 - share) * scaled["records"][i] + share * scaled["hot"][i]
        risk = RiskScore(
            count=c.records, per_km2=_r(densities["records"][i]), normalized=_r(risk_norm),
            weight=_r(w["risk"]), contribution=_r(w["risk"] * risk_norm),
            by_group=dict(sorted(c.by_group.items())),
            records_normalized=_r(scaled["records"][i]), hot_share=_r(c.hot_share),
            hot_normalized=_r(scaled["hot"][i]), hotspot_share=_r(share))
        places = {crit: PlacesScore(
            count=totals[crit][i], per_km2=_r(densities[crit][i]),
            normalized=_r(scaled[crit][i]), weight=_r(w[crit]),
            contribution=_r(w[crit] * scaled[crit][i]), items=counted[i][0][crit])
            for crit in ("landmark", "economic")}
        total = (w["risk"] * risk_norm + w["landmark"] * scaled["landmark"][i]
                 + w["economic"] * scaled["economic"][i])
        rows.append((total, CandidateScore(
            rank=0, candidate_id=c.id, name_th=c.name_th, name_en=c.name_en,
            area_km2=_r(c.area_km2), risk=risk, landmark=places["landmark"],
            economic=places["economic"], unclassified=counted[i][1], score=_r(total))))
    rows.sort(key=lambda r: (-round(r[0], 9), r[1].name_th, str(r[1].candidate_id)))
    out: list[CandidateScore] = []
    for position, (total, row) in enumerate(rows, start=1):
        tied = out and round(total, 9) == round(rows[position - 2][0], 9)
        row.rank = out[-1].rank if tied else position
        out.append(row)
    return out


def _r(value: float) -> float:
    return round(float(value), DIGITS)
