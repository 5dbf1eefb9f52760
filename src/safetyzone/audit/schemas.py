"""Pydantic shapes of the audit API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_id: uuid.UUID | None
    username: str
    action: str
    entity: str
    entity_id: str | None
    station_id: uuid.UUID | None
    reason: str | None
    detail: dict[str, Any]
