"""Pydantic shapes of the organization API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from safetyzone.core.security import Role
from safetyzone.core.text import Inbound, Patch
from safetyzone.org.models import OwnerClass, StationType, UnitKind

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgUnitCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    kind: UnitKind
    parent_code: str | None = None
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    station_type: StationType | None = None
    pilot_phase: int | None = Field(None, ge=1, le=9)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)


class OrgUnitRead(_Read):
    id: uuid.UUID
    code: str
    kind: UnitKind
    parent_id: uuid.UUID | None
    name_th: str
    name_en: str
    station_type: StationType | None
    pilot_phase: int | None
    lat: float | None
    lon: float | None


class LandmarkIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    kind: str = Field("other", max_length=32)
    lat: float = Field(allow_inf_nan=False)
    lon: float = Field(allow_inf_nan=False)
    synthetic: bool = False


class LandmarkRead(_Read):
    id: uuid.UUID
    name_th: str
    name_en: str
    kind: str
    lat: float
    lon: float
    synthetic: bool


class Selection(Inbound):
    """Why the Big 6 partner network picked this zone, under its three criteria."""

    model_config = ConfigDict(extra="forbid")
    risk: list[str] = Field(default_factory=list)
    landmark: list[str] = Field(default_factory=list)
    economic: list[str] = Field(default_factory=list)


# Bounds a real zone never reaches but a 32-bit column always holds.
PEOPLE = Field(None, ge=0, le=100_000_000)


class ZoneFigures(Inbound):
    model_config = ConfigDict(extra="forbid")
    declared_area_km2: float | None = Field(None, gt=0, le=1_000_000, allow_inf_nan=False)
    households: int | None = PEOPLE
    families: int | None = PEOPLE
    population_total: int | None = PEOPLE
    population_male: int | None = PEOPLE
    population_female: int | None = PEOPLE
    population_non_registered: int | None = PEOPLE


class ZoneCreate(ZoneFigures):
    code: str = Code
    station_code: str
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    # Any, not dict: the service explains what is wrong with a boundary better than pydantic.
    boundary: Any = Field(description="GeoJSON Polygon, lon/lat order.")
    boundary_synthetic: bool = False
    municipalities: list[str] = Field(default_factory=list)
    selection: Selection = Selection()
    risk_statistics: list[dict[str, Any]] = Field(default_factory=list)
    landmarks: list[LandmarkIn] = Field(default_factory=list)
    source: str | None = None


class ZoneUpdate(ZoneFigures, Patch):
    """Send only what changes; ``null`` clears a figure but never a name or the boundary."""

    nullable: ClassVar[frozenset[str]] = frozenset(ZoneFigures.model_fields)
    name_th: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, min_length=1, max_length=200)
    boundary: Any = Field(None, description="GeoJSON Polygon, lon/lat order.")
    selection: Selection | None = None


class ZoneWarning(BaseModel):
    code: str
    message_en: str
    message_th: str
    values: dict[str, Any] = {}


class ZoneRead(_Read):
    id: uuid.UUID
    code: str
    station_id: uuid.UUID
    name_th: str
    name_en: str
    boundary: dict[str, Any]
    boundary_synthetic: bool
    area_km2: float = Field(description="Computed from the boundary in UTM metres.")
    declared_area_km2: float | None
    households: int | None
    families: int | None
    population_total: int | None
    population_male: int | None
    population_female: int | None
    population_non_registered: int | None
    municipalities: list[str]
    selection: Selection
    risk_statistics: list[dict[str, Any]]
    landmarks: list[LandmarkRead]
    warnings: list[ZoneWarning] = Field(
        description="Figures that disagree, stored as given and flagged here."
    )
    source: str | None
    updated_at: datetime


class PartnerCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    org_unit_code: str
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    owner_class: OwnerClass
    big6_member: bool = False
    contact_name: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=64)
    contact_email: EmailStr | None = None


class PartnerRead(_Read):
    id: uuid.UUID
    code: str
    org_unit_id: uuid.UUID
    name_th: str
    name_en: str
    owner_class: OwnerClass
    big6_member: bool
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


class UserCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=256)
    role: Role
    org_unit_codes: list[str] = Field(min_length=1)
    partner_code: str | None = None


class UserRead(_Read):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    is_active: bool
    partner_id: uuid.UUID | None
    org_unit_ids: list[uuid.UUID]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - OAuth2 token type
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(Inbound):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=4096)
    # A phone names each refresh attempt, so that the retry of one whose answer was lost
    # gets that answer instead of a revoked login (``safetyzone.org.tokens``).
    attempt: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{16,64}$")


class Me(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    permissions: list[str]
    org_unit_ids: list[uuid.UUID]
    station_ids: list[uuid.UUID] | None
    partner_id: uuid.UUID | None
