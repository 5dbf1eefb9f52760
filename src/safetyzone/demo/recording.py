"""The demo records a few cameras on alarm, so that a newcomer can cut an evidence clip.

Which: the cameras bound to the SOS points of the first seed zone (Phasi Charoen's, where the
simulator presses the first SOS some 20 seconds after the start), at most ``MAX_CAMERAS``,
each "on alarm" with 30 s before and 60 s after, kept 7 days. A demo choice, not a
recommendation: a station decides its own (docs/video-recording.md). Each recording camera
runs an ffmpeg that encodes the generated picture (about 3 % of a core), hence the few.
Only cameras with no policy yet are set, so a policy someone chose is never overwritten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import AssetKind
from safetyzone.core.clock import Clock
from safetyzone.core.security import Scope
from safetyzone.org import service as org
from safetyzone.video.recording import service as recording
from safetyzone.video.recording.models import RecordingMode, RecordingPolicy
from safetyzone.video.recording.schemas import PolicyIn

RECORDED_ZONE_STATION = "MPB-PHASI-CHAROEN"
MAX_CAMERAS = 4
POLICY = PolicyIn(mode=RecordingMode.ON_ALARM, pre_roll_s=30, post_roll_s=60, retain_days=7)


def ensure_recording(session: Session, scope: Scope, clock: Clock, zone: dict[str, Any]) -> None:
    if zone["station"] != RECORDED_ZONE_STATION:
        return
    station = org.get_station(session, scope=scope, code=zone["station"])
    points, _ = assets.list_assets(session, scope=scope, kind=AssetKind.SOS_POINT,
                                   station_id=station.id, limit=1000)
    chosen: list[Any] = []
    for point in sorted(points, key=lambda p: p.code):
        for camera_id in assets.bound_camera_ids(session, point.id):
            if camera_id not in chosen and len(chosen) < MAX_CAMERAS:
                chosen.append(camera_id)
    for camera_id in chosen:
        if session.get(RecordingPolicy, camera_id) is not None:
            continue
        try:
            recording.set_policy(session, scope=scope, clock=clock, camera_id=camera_id,
                                 data=POLICY)
        except recording.NotRecordable:
            continue  # the owner's terms forbid it: so be it
