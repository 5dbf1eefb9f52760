"""Tables of the organization tree, zones, partners and users."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safetyzone.core.db import Base, UTCDateTime, new_id, str_enum
from safetyzone.core.security import Role


class UnitKind(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    PROVINCE = "province"
    STATION = "station"


class StationType(enum.StrEnum):
    METROPOLITAN = "metropolitan"  # สน. (Bangkok)
    PROVINCIAL = "provincial"  # สภ.


class OwnerClass(enum.StrEnum):
    CITY = "city"
    POLICE = "police"
    OTHER_AGENCY = "other_agency"
    PRIVATE_BUSINESS = "private_business"
    PRIVATE_HOME = "private_home"


class OrgUnit(Base):
    __tablename__ = "org_unit"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "unit_kind"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    station_type: Mapped[StationType | None] = mapped_column(str_enum(StationType, "station_type"))
    pilot_phase: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Zone(Base):
    __tablename__ = "zone"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    station_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    boundary: Mapped[dict[str, Any]] = mapped_column(JSON)
    boundary_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    area_km2: Mapped[float] = mapped_column(Float)
    declared_area_km2: Mapped[float | None] = mapped_column(Float)
    households: Mapped[int | None] = mapped_column(Integer)
    families: Mapped[int | None] = mapped_column(Integer)
    population_total: Mapped[int | None] = mapped_column(Integer)
    population_male: Mapped[int | None] = mapped_column(Integer)
    population_female: Mapped[int | None] = mapped_column(Integer)
    population_non_registered: Mapped[int | None] = mapped_column(Integer)
    municipalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    selection: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    risk_statistics: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    landmarks: Mapped[list[Landmark]] = relationship(
        back_populates="zone", cascade="all, delete-orphan", order_by="Landmark.name_th"
    )


class Landmark(Base):
    __tablename__ = "landmark"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    zone_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("zone.id", ondelete="CASCADE"), index=True
    )
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    zone: Mapped[Zone] = relationship(back_populates="landmarks")


class Partner(Base):
    """An organisation that owns assets or works with the station (Big 6, agencies, shops)."""

    __tablename__ = "partner"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    org_unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True
    )
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    owner_class: Mapped[OwnerClass] = mapped_column(str_enum(OwnerClass, "owner_class"))
    big6_member: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner.id", ondelete="RESTRICT")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: every token of an older generation dies.
    token_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    scopes: Mapped[list[UserScope]] = relationship(cascade="all, delete-orphan")


class UserScope(Base):
    __tablename__ = "user_scope"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    org_unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), primary_key=True
    )


class LoginSession(Base):
    """One login and the refresh tokens rotated from it: a token family.

    Every token carries the family id (``fam``). Each refresh spends the current refresh
    token and names its successor in ``refresh_jti``; a spent one coming back means it was
    copied, so the whole family is revoked and its access tokens stop working too.
    """

    __tablename__ = "login_session"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the current refresh token expires: rows past it are pruned at the next login.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    refresh_jti: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
