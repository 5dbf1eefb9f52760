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
    state: CameraState | None = Field(description="None: not looked at since the start.")
    since: datetime | None
    detail: str | None


class StateCounts(BaseModel):
    total: int = 0
    online: int = 0
    offline: int = 0
    frozen: int = 0
    unknown: int = Field(0, description="Cameras nobody has looked at yet.")
