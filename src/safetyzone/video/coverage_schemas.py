"""Pydantic shapes of the coverage and private-area API."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.assets.models import CameraPurpose, SharingLevel
from safetyzone.core.text import Inbound
from safetyzone.org.models import OwnerClass
from safetyzone.video.coverage_models import PrivateKind


class PlaceKind(enum.StrEnum):
    SOS_POINT = "sos_point"
    RISK_SPOT = "risk_spot"
    LANDMARK = "landmark"
    RED_BOX = "red_box"


class PlaceCoverage(BaseModel):
    kind: PlaceKind
    id: uuid.UUID
    code: str | None
    name_th: str
    name_en: str
    lat: float
    lon: float
    covered: bool
    seen_by: list[str] = Field(description="Codes of the active cameras whose cone holds it.")
    perhaps_by: list[str] = Field(
        description="Cameras of unknown direction within range: they cannot prove coverage.")


class CameraCoverage(BaseModel):
    id: uuid.UUID
    code: str
    name_th: str
    owner_class: OwnerClass
    purposes: list[CameraPurpose]
    sharing_level: SharingLevel
    active: bool
    lat: float
    lon: float
    heading_deg: float | None
    fov_deg: float | None
    range_m: float
    range_assumed: bool = Field(description="No range was measured: a default for its kind.")
    direction_known: bool
    view_note: str | None = Field(description="Where the view figures come from, if stated.")
    synthetic: bool
    cone: dict[str, Any] | None = Field(description="GeoJSON Polygon (WGS84), None if unknown.")
    private_share: float = Field(description="Share of the cone's area on private areas, 0-1.")
    at_private_space: bool
    ptz: bool


class KindCount(BaseModel):
    total: int = 0
    covered: int = 0
    uncovered: int = 0


class PrivateAreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: PrivateKind
    boundary: dict[str, Any]
    synthetic: bool
    note: str | None
    created_by: str
    created_at: datetime


class CoverageReport(BaseModel):
    station_code: str
    computed_at: datetime
    utm_epsg: int = Field(description="The UTM zone the cones were built in (metres).")
    private_limit: float = Field(description="A cone with more than this share on private "
                                 "areas counts as pointing at private space.")
    counts: dict[PlaceKind, KindCount]
    cameras_total: int
    cameras_direction_unknown: int
    cameras_at_private_space: int
    places: list[PlaceCoverage]
    cameras: list[CameraCoverage]
    private_areas: list[PrivateAreaRead]


class PrivateAreaCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    name: str = Field(min_length=1, max_length=200)
    kind: PrivateKind = PrivateKind.OTHER
    boundary: dict[str, Any] = Field(description="GeoJSON Polygon in WGS84 (lon, lat).")
    note: str | None = Field(None, max_length=500)


class PrivateAreaImport(Inbound):
    """A GeoJSON FeatureCollection of Polygons; ``name`` and ``kind`` from each feature's
    properties. All or nothing."""

    model_config = ConfigDict(extra="forbid")
    station_code: str
    features: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    type: str = Field("FeatureCollection", pattern="^FeatureCollection$")
