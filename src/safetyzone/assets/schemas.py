"""Pydantic shapes of the asset API."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from safetyzone.assets.models import (
    AssetKind,
    AssetStatus,
    CameraPurpose,
    ProposalState,
    SharingLevel,
)
from safetyzone.core.text import Inbound, Patch
from safetyzone.org.models import OwnerClass

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Positions are range-checked by the service, which can say "swapped" instead of "too big".
Lat = Field(allow_inf_nan=False)
Lon = Field(allow_inf_nan=False)


def _distinct(values: list[CameraPurpose]) -> list[CameraPurpose]:
    if len(set(values)) != len(values):
        raise ValueError("each purpose once")
    return sorted(values)


Purposes = Annotated[list[CameraPurpose], AfterValidator(_distinct)]
RangeM = Field(None, gt=0, le=2000, allow_inf_nan=False,
               description="How far the camera sees usefully, metres; unknown: a default per "
               "owner class, shown as assumed on the coverage map.")


class AssetCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    zone_code: str | None = None
    kind: AssetKind
    code: str = Code
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    lat: float = Lat
    lon: float = Lon
    owner_class: OwnerClass
    owner_partner_code: str | None = None
    has_speaker: bool = False
    status: AssetStatus = AssetStatus.ACTIVE
    attributes: dict[str, Any] = Field(default_factory=dict)
    synthetic: bool = False
    note: str | None = Field(None, max_length=2000)
    bound_camera_codes: list[str] = Field(
        [], description="For SOS points: cameras whose images go with a press, in order."
    )


class AssetUpdate(Patch):
    """Send only what changes; ``null`` is refused except for ``note``."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({"note"})
    name_th: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    lat: float | None = Field(None, allow_inf_nan=False)
    lon: float | None = Field(None, allow_inf_nan=False)
    has_speaker: bool | None = None
    status: AssetStatus | None = None
    attributes: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=2000)
    bound_camera_codes: list[str] | None = None


class AssetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    zone_id: uuid.UUID | None
    kind: AssetKind
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    owner_class: OwnerClass
    owner_partner_id: uuid.UUID | None
    has_speaker: bool
    status: AssetStatus
    attributes: dict[str, Any]
    synthetic: bool
    note: str | None
    bound_camera_ids: list[uuid.UUID] = []
    updated_at: datetime


class CameraCreate(Inbound):
    model_config = ConfigDict(extra="forbid")
    station_code: str
    point_code: str = Field(description="Code of the camera_point asset that holds it.")
    code: str = Code
    name_th: str = Field(min_length=1, max_length=200)
    owner_class: OwnerClass | None = Field(None, description="Defaults to the point's owner.")
    owner_partner_code: str | None = None
    lat: float | None = Field(None, allow_inf_nan=False, description="Defaults to the point's.")
    lon: float | None = Field(None, allow_inf_nan=False)
    heading_deg: float | None = Field(None, ge=0, lt=360)
    fov_deg: float | None = Field(None, gt=0, le=360)
    purposes: Purposes = Field(default_factory=list, max_length=3)
    range_m: float | None = RangeM
    view_note: str | None = Field(None, max_length=200)
    plate_reading: bool = False
    sharing_level: SharingLevel = SharingLevel.REGISTRY_ONLY
    sharing_until: AwareDatetime | None = None
    status: AssetStatus = AssetStatus.ACTIVE
    stream_url: str | None = Field(None, max_length=2000, pattern=r"^(rtsp|rtsps|http|https|sim)://")
    stream_username: str | None = Field(None, max_length=200)
    stream_password: str | None = Field(None, max_length=200)
    synthetic: bool = False


class CameraUpdate(Patch):
    """Send only what changes; ``null`` clears the view, the sharing end and the stream."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({
        "heading_deg", "fov_deg", "sharing_until", "stream_url", "stream_username",
        "stream_password", "range_m", "view_note"})
    name_th: str | None = Field(None, min_length=1, max_length=200)
    heading_deg: float | None = Field(None, ge=0, lt=360)
    fov_deg: float | None = Field(None, gt=0, le=360)
    purposes: Purposes | None = Field(None, max_length=3)
    range_m: float | None = RangeM
    view_note: str | None = Field(None, max_length=200)
    plate_reading: bool | None = None
    sharing_level: SharingLevel | None = None
    sharing_until: AwareDatetime | None = None
    status: AssetStatus | None = None
    stream_url: str | None = Field(None, max_length=2000, pattern=r"^(rtsp|rtsps|http|https|sim)://")
    stream_username: str | None = Field(None, max_length=200)
    stream_password: str | None = Field(None, max_length=200)


class CameraRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    station_id: uuid.UUID
    point_id: uuid.UUID
    code: str
    name_th: str
    owner_class: OwnerClass
    owner_partner_id: uuid.UUID | None
    lat: float
    lon: float
    heading_deg: float | None
    fov_deg: float | None
    purposes: list[CameraPurpose]
    range_m: float | None
    view_note: str | None
    plate_reading: bool
    sharing_level: SharingLevel
    sharing_until: datetime | None
    effective_sharing_level: SharingLevel = Field(
        description="registry_only once sharing_until has passed."
    )
    status: AssetStatus
    has_stream: bool
    synthetic: bool
    updated_at: datetime


class StreamSecretRequest(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=5, max_length=500, description="Why; kept in the audit log.")


class StreamSecretRead(BaseModel):
    camera_id: uuid.UUID
    stream_url: str | None
    stream_username: str | None
    stream_password: str | None


class TransferFormat(enum.StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"


class ImportReport(BaseModel):
    created: int
    kind_counts: dict[str, int] = Field(description="Rows created per kind ('camera' too).")
    station_code: str | None = None
    format: TransferFormat | None = None


class UrlProposalCreate(Inbound):
    """The fields given are proposed (null clears one); at least one of the three."""

    model_config = ConfigDict(extra="forbid")
    stream_url: str | None = Field(None, max_length=2000)
    stream_username: str | None = Field(None, max_length=200)
    stream_password: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=500, description="For the approving officer.")


class UrlProposalDecision(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=500, description="Kept in the audit log.")


class UrlProposalRead(BaseModel):
    id: uuid.UUID
    camera_id: uuid.UUID
    camera_code: str
    station_id: uuid.UUID
    partner_id: uuid.UUID
    state: ProposalState
    fields: list[str] = Field(description="The proposed fields; credentials are never shown.")
    proposed_url: str | None = Field(
        description="The proposed address: shown to admins, commanders and the proposing "
        "partner; None for others or when the address is not part of the proposal.")
    note: str | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
