"""Pydantic shapes of the video API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from safetyzone.org.models import OwnerClass
from safetyzone.video.models import CameraState


class CameraHealthRead(BaseModel):
    camera_id: uuid.UUID
    code: str
    owner_class: OwnerClass
    state: CameraState | None = Field(description="None: not checked yet, or not monitored.")
    since: datetime | None = Field(description="When the current state began.")
    detail: str | None = Field(description="Why it is offline or frozen (admins and "
                                           "commanders only; credentials never in it).")
    checked_at: datetime | None = Field(None, description="The prober's last check.")
    latency_ms: int | None = Field(None, description="Time to the first picture at the last "
                                                     "check.")
    width: int | None = Field(None, description="Picture width at the last check (pixels).")
    height: int | None = None
    monitored: bool = Field(True, description="False: no address, or not active (retired, "
                                              "in maintenance): the prober cannot check it.")


class StateCounts(BaseModel):
    total: int = 0
    online: int = 0
    offline: int = 0
    frozen: int = 0
    unknown: int = Field(0, description="Cameras not checked yet, or that cannot be checked "
                                        "(no address).")


class OwnerUptimeRead(BaseModel):
    owner_class: OwnerClass | None = Field(description="None: all owners together.")
    cameras: int = Field(description="Registered cameras (not retired).")
    observed_cameras: int = Field(description="Cameras with a known state in the period.")
    online_s: float
    offline_s: float
    frozen_s: float
    uptime_pct: float | None = Field(description="100 x online / observed camera-seconds, "
                                                 "from the history of states; None when "
                                                 "nothing was observed.")


class StationUptimeRead(BaseModel):
    station_id: uuid.UUID
    station_code: str
    since: datetime
    until: datetime
    owners: list[OwnerUptimeRead] = Field(description="Owner classes that have cameras.")
    total: OwnerUptimeRead


class HealthChangeRead(BaseModel):
    state: CameraState
    since: datetime
    until: datetime | None = Field(description="None: still in this state.")
    detail: str | None = Field(description="Admins and commanders only.")
