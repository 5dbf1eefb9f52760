"""When a device was last heard, as the engine records it for the "device silent" rule."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from safetyzone.core.security import Scope
from safetyzone.ops.models import DeviceHealth


def get_device_health(session: Session, *, scope: Scope,
                      device_id: uuid.UUID) -> DeviceHealth | None:
    """The device's health row, or None when it was never heard (or is out of scope)."""
    row = session.get(DeviceHealth, device_id)
    if row is None or not scope.sees_station(row.station_id):
        return None
    return row
