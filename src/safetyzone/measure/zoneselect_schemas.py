"""Shapes of zone selection: candidates, weights, the ranking's breakdown table, the Big 6
decisions and the before/after comparison of a chosen zone. Every number a request carries
is bounded; every text is storable (``core.text.Inbound``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.text import Inbound, Patch, SafeText
from safetyzone.measure.schemas import Figure, Rate

Criterion = Literal["landmark", "economic"]
KindKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$",
                               description="A kind of place: temple, market, bank ...")]
ZoneCode = Annotated[str, Field(min_length=1, max_length=64,
                                pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
MAX_ENTERED = 50
MAX_MEMBERS = 30
MAX_CHOICES = 5
MAX_REASONS = 20
Reason = Annotated[SafeText, Field(min_length=1, max_length=500)]


class EnteredCount(Inbound):
    """A count of places typed in from a document, with the document named: for a kind of
    place (a criterion's) it replaces what the registry counts inside the candidate."""

    model_config = ConfigDict(extra="forbid")
    criterion: Criterion
    kind: KindKey
    count: Annotated[int, Field(ge=0, le=100_000)]
    source: Annotated[SafeText, Field(min_length=1, max_length=500)]
    note: Annotated[SafeText, Field(max_length=500)] | None = None


class CandidateIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    name_th: Annotated[SafeText, Field(min_length=1, max_length=200)]
    name_en: Annotated[SafeText, Field(max_length=200)] = ""
    # Any, not dict: the service says what is wrong with a boundary in words.
    boundary: Any = Field(description="GeoJSON Polygon, lon/lat order, closed rings.")
    entered_counts: list[EnteredCount] = Field(default_factory=list, max_length=MAX_ENTERED)
    note: Annotated[SafeText, Field(max_length=2000)] | None = None


class CandidatePatch(Patch):
    """Send only what changes; ``retired`` takes a candidate out of the ranking (kept)."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({"note"})
    name_th: Annotated[SafeText, Field(min_length=1, max_length=200)] | None = None
    name_en: Annotated[SafeText, Field(max_length=200)] | None = None
    boundary: Any = Field(None, description="GeoJSON Polygon, lon/lat order, closed rings.")
    entered_counts: Annotated[list[EnteredCount], Field(max_length=MAX_ENTERED)] | None = None
    note: Annotated[SafeText, Field(max_length=2000)] | None = None
    retired: bool | None = None


class CandidateOut(BaseModel):
    id: uuid.UUID
    station_code: str
    name_th: str
    name_en: str
    boundary: dict[str, Any]
    area_km2: float
    entered_counts: list[EnteredCount]
    note: str | None
    retired: bool
    chosen_in: list[int] = Field(description="Numbers of the decisions that chose it.")
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class WeightsIn(Inbound):
    """Each weight 0 to 1; they are scaled to sum to 1 (at least one above 0)."""

    model_config = ConfigDict(extra="forbid")
    risk: Weight
    landmark: Weight
    economic: Weight
    hotspot_share: Weight = Field(0.5, description=(
        "The part of the risk criterion taken from Gi* hot cells; the rest from records."))
    risk_from: date | None = Field(None, description="First day of the risk window (Bangkok).")
    risk_to: date | None = Field(None, description="Last day of the risk window (Bangkok).")


class WeightsOut(BaseModel):
    risk: float
    landmark: float
    economic: float
    normalized: dict[str, float] = Field(description="The weights scaled to sum to 1.")
    hotspot_share: float
    risk_from: date | None
    risk_to: date | None
    is_default: bool
    updated_at: datetime | None = None
    updated_by: str | None = None


class PlaceCount(BaseModel):
    """One kind of place inside a candidate, from the registry or typed in."""

    criterion: str
    kind: str
    count: int
    origin: Literal["registered", "entered"]
    used: bool = Field(description="False when an entered count of the kind replaced it.")
    source: str | None = None
    note: str | None = None
    names: list[str] = Field(default_factory=list)


class CriterionScore(BaseModel):
    count: int
    per_km2: float
    normalized: float = Field(description="per_km2 over the highest of the station's candidates")
    weight: float
    contribution: float = Field(description="weight x normalized: its part of the score")


class RiskScore(CriterionScore):
    by_group: dict[str, int]
    records_normalized: float
    hot_share: float = Field(description="Share of the candidate's area in Gi* hot cells.")
    hot_normalized: float
    hotspot_share: float = Field(description="The part of risk from hot cells, as used.")


class PlacesScore(CriterionScore):
    items: list[PlaceCount]


class CandidateScore(BaseModel):
    rank: int
    candidate_id: uuid.UUID
    name_th: str
    name_en: str
    area_km2: float
    risk: RiskScore
    landmark: PlacesScore
    economic: PlacesScore
    unclassified: list[PlaceCount] = Field(
        description="Registered places of a kind no criterion counts (listed, not scored).")
    score: float


class HotspotRun(BaseModel):
    method: str = "gi_star"
    cell_m: float
    alpha: float
    points: int
    hot_cells: int
    computed: bool


class Ranking(BaseModel):
    station_code: str
    since: datetime
    until: datetime
    weights: WeightsOut
    records: int = Field(description="Records and incidents of the station in the window.")
    placed: int = Field(description="Those with a position (only these fall in a candidate).")
    hotspots: HotspotRun
    notes: list[str] = Field(description="Codes: no_candidates, no_records, unplaced_records, "
                                         "no_hot_cells, hotspots_skipped, no_landmarks, "
                                         "no_economic.")
    candidates: list[CandidateScore]


class MemberIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[SafeText, Field(min_length=1, max_length=200)]
    role: Annotated[SafeText, Field(max_length=200)] = ""
    agency: Annotated[SafeText, Field(max_length=200)] = ""
    partner_code: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="A registered partner (Big 6 member) the person represents.")


class MemberOut(BaseModel):
    name: str
    role: str
    agency: str
    partner_code: str | None = None
    big6_member: bool | None = None


class ChoiceIn(Inbound):
    """A chosen candidate, and optionally its zone: an existing zone of the station
    (``zone_code``) or a new one made from the candidate's boundary (``new_zone_code``)."""

    model_config = ConfigDict(extra="forbid")
    candidate_id: uuid.UUID
    zone_code: ZoneCode | None = None
    new_zone_code: ZoneCode | None = None


class Reasons(Inbound):
    """The meeting's reasons under the three criteria, as the seeds write them."""

    model_config = ConfigDict(extra="forbid")
    risk: list[Reason] = Field(default_factory=list, max_length=MAX_REASONS)
    landmark: list[Reason] = Field(default_factory=list, max_length=MAX_REASONS)
    economic: list[Reason] = Field(default_factory=list, max_length=MAX_REASONS)


class DecisionIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    meeting_on: date = Field(description="The meeting's day (Bangkok).")
    members: Annotated[list[MemberIn], Field(min_length=1, max_length=MAX_MEMBERS)]
    choices: Annotated[list[ChoiceIn], Field(min_length=1, max_length=MAX_CHOICES)]
    rationale: Annotated[SafeText, Field(min_length=1, max_length=5000)]
    reasons: Reasons = Field(default_factory=Reasons)
    launch_on: date | None = Field(None, description="The zone's launch day, when decided.")
    supersedes_id: uuid.UUID | None = Field(None, description=(
        "The decision in force that this one replaces (required when there is one)."))


class ChoiceOut(BaseModel):
    candidate_id: uuid.UUID
    name_th: str
    name_en: str
    zone_code: str | None
    zone_created: bool
    rank: int | None = Field(description="Its rank in the ranking the meeting saw.")
    score: float | None


class DecisionOut(BaseModel):
    id: uuid.UUID
    number: int
    station_code: str
    big6_group_name: str | None = Field(description="The station's Big 6 group (facts).")
    meeting_on: date
    members: list[MemberOut]
    choices: list[ChoiceOut]
    rationale: str
    reasons: Reasons
    launch_on: date | None
    supersedes_number: int | None
    superseded_by_number: int | None
    in_force: bool
    weights: WeightsOut
    ranking: list[CandidateScore]
    recorded_at: datetime
    recorded_by: str


class Side(BaseModel):
    """One area in one window: how many, and how many per 1,000 people and per km²."""

    count: int
    per_1000: Rate
    per_km2: Rate


class AreaCompare(BaseModel):
    area_km2: Figure
    population: Figure
    before: Side
    after: Side
    change_pct: float | None = Field(description="(after - before) / before x 100 of counts.")


class GroupCounts(BaseModel):
    before: int
    after: int


class BeforeAfterOut(BaseModel):
    station_code: str
    zone_code: str
    zone_name_th: str
    zone_name_en: str
    launch_on: date
    launch_from: Literal["query", "decision"]
    decision_number: int | None
    months: int
    before_from: datetime
    after_from: datetime
    after_until: datetime
    window_days: float
    complete: bool = Field(description="False when the after window is cut short by today.")
    zone: AreaCompare
    rest: AreaCompare = Field(description="The station outside the zone.")
    unplaced: GroupCounts = Field(description="Records without a position: in neither.")
    did_per_1000: Rate = Field(description=(
        "(zone after - zone before) - (rest after - rest before), per 1,000 people."))
    did_per_km2: Rate
    zone_by_group: dict[str, GroupCounts]
    warnings: list[str]


__all__ = ["AreaCompare", "BeforeAfterOut", "CandidateIn", "CandidateOut", "CandidatePatch",
           "CandidateScore", "ChoiceIn", "ChoiceOut", "DecisionIn", "DecisionOut",
           "EnteredCount", "GroupCounts", "HotspotRun", "MemberIn", "MemberOut", "PlaceCount",
           "PlacesScore", "Ranking", "Reasons", "RiskScore", "Side", "WeightsIn", "WeightsOut"]
