"""Pydantic shapes of the PTZ API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.core.text import Inbound


class PtzConfigIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    onvif_url: str = Field(max_length=500, pattern=r"^https?://",
                           description="The camera's ONVIF address, http(s)://host[:port]; "
                           "credentials are the camera's stream credentials.")
    profile_token: str | None = Field(None, max_length=64,
                                      description="Unset: the first profile with PTZ.")
    pan_zero_heading_deg: float | None = Field(
        None, ge=0, lt=360, description="Compass heading when the device's pan is 0; unset, "
        "a move leaves the direction unknown unless its preset has a heading.")
    pan_span_deg: float = Field(360.0, gt=0, le=360,
                                description="Degrees the normalised pan -1..1 spans.")


class PresetRead(BaseModel):
    token: str
    name: str
    heading_deg: float | None
    on_device: bool = Field(description="False: known here, not (any more) on the device.")


class PtzRead(BaseModel):
    camera_id: uuid.UUID
    configured: bool
    profile_token: str | None = None
    pan_zero_heading_deg: float | None = None
    pan_span_deg: float | None = None
    presets: list[PresetRead] = Field(default_factory=list)


class MoveIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    pan: float = Field(0.0, ge=-1, le=1, allow_inf_nan=False)
    tilt: float = Field(0.0, ge=-1, le=1, allow_inf_nan=False)
    zoom: float = Field(0.0, ge=-1, le=1, allow_inf_nan=False)


class PresetIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    heading_deg: float | None = Field(None, ge=0, lt=360,
                                      description="Where the camera faces now, if known.")


class PtzDone(BaseModel):
    camera_id: uuid.UUID
    action: str
    heading_deg: float | None = Field(description="The camera's heading after the action "
                                      "(None: unknown; coverage then lists it so).")
    preset_token: str | None = None
