"""Tables of camera coverage and PTZ: private areas, PTZ settings and presets.

Private areas are what seed 004 asks camera owners to keep out of view (homes, yards,
shop interiors): polygons a station admin draws or imports, so a camera whose view cone
falls on them can be flagged. PTZ settings say where a camera's ONVIF service is (sealed,
like its stream address) and how its pan maps to a compass heading, so a move to a preset
can keep the coverage map true.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum


class PrivateKind(enum.StrEnum):
    HOME = "home"
    SHOP_INTERIOR = "shop_interior"
    YARD = "yard"
    SCHOOL = "school"
    OTHER = "other"


class PrivateArea(Base):
    """A piece of private space (GeoJSON Polygon, WGS84) that cameras should not look into."""

    __tablename__ = "private_area"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PrivateKind] = mapped_column(str_enum(PrivateKind, "private_kind"))
    boundary: Mapped[dict[str, Any]] = mapped_column(JSON)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraPtz(Base):
    """A camera that can pan, tilt and zoom through ONVIF, and how to reach it.

    ``pan_zero_heading_deg`` is the compass heading when the device's pan is 0 (its
    normalised position is -1..1 over ``pan_span_deg``); unknown, a move leaves the camera's
    direction unknown unless the preset it went to has a heading.
    """

    __tablename__ = "camera_ptz"

    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="CASCADE"), primary_key=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    onvif_url_sealed: Mapped[str] = mapped_column(Text)
    profile_token: Mapped[str | None] = mapped_column(String(64))
    pan_zero_heading_deg: Mapped[float | None] = mapped_column(Float)
    pan_span_deg: Mapped[float] = mapped_column(Float, default=360.0)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraPtzPreset(Base):
    """What the station knows about a device preset: the heading the camera faces there."""

    __tablename__ = "camera_ptz_preset"
    __table_args__ = (UniqueConstraint("camera_id", "token"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    camera_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("camera.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    heading_deg: Mapped[float | None] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
