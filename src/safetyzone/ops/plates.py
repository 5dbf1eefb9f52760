"""Hotlist hits: a plate read that matches a hotlist entry opens a ``plate_hit`` incident.

One incident per entry hit, never merged (two cars on one list are two stops). The camera's
bound cameras and the nearest ones are docked; the snapshot reference goes in ``detail``.
A covert entry's incident is marked (``ops.covert``): only its list owner sees it
(``incidents.list_incidents``/``get_incident`` and the WebSocket hub filter on it), and it
is filed at the owner's station so the owner's scope reaches it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import Asset
from safetyzone.core.events import Event, Location, PlatePayload
from safetyzone.lpr import service as lpr
from safetyzone.ops import covert, incidents
from safetyzone.ops.cameras import CameraIndexCache, link_cameras
from safetyzone.ops.models import Incident
from safetyzone.ops.rules import Action, Source

RULE_NAME = "plate-hit"
MAX_HITS = 5  # a plate on more lists than this still opens these, highest priority first


def on_plate_read(session: Session, event: Event, *, asset: Asset | None, source: Source,
                  cameras: CameraIndexCache, now: datetime) -> list[Incident]:
    """Match the read against the hotlists; open an incident per hit."""
    payload = event.payload
    if not isinstance(payload, PlatePayload):
        return []
    hits = lpr.match(session, plate=payload.plate_normalized, province=payload.province, now=now)
    opened = []
    lat = event.location.lat if event.location else asset.lat if asset else None
    lon = event.location.lon if event.location else asset.lon if asset else None
    if event.location is None and lat is not None and lon is not None:
        event = event.model_copy(update={"location": Location(lat=lat, lon=lon)})
    bound = assets.bound_camera_ids(session, asset.id) if asset else []
    for hit in sorted(hits, key=lambda h: (h.priority, h.fuzzy))[:MAX_HITS]:
        action = Action(incident_kind="plate_hit", priority=hit.priority, title_th="-",
                        title_en="-", dock_nearest=4, dock_radius_m=300, merge_window_s=0,
                        ack_timeout_s=120)
        docked = link_cameras(cameras.get(session), lat=lat, lon=lon, bound=bound,
                              nearest=action.dock_nearest, radius_m=action.dock_radius_m,
                              station_id=event.station_id, now=now)
        how_th = f" ({hit.match_th})" if hit.match_th else ""
        how_en = f" ({hit.match_en})" if hit.match_en else ""
        detail: dict[str, Any] = {
            "plate": payload.plate, "plate_normalized": payload.plate_normalized,
            "hotlist_plate": hit.plate, "hotlist_entry_id": str(hit.entry_id),
            "hotlist_reason": hit.reason, "match": "fuzzy" if hit.fuzzy else "exact",
            "match_th": hit.match_th, "match_en": hit.match_en, "province": payload.province,
            "confidence": payload.confidence, "direction": payload.direction,
            "snapshot_ref": payload.image_ref, "read_event_id": str(event.id)}
        filed = event
        if hit.covert:
            covert.mark(detail, hit.owner_user_id)
            filed = event.model_copy(update={"station_id": hit.station_id})
        incident, _ = incidents.open_or_merge(
            session, event=filed, rule_name=RULE_NAME, action=action, source=source,
            title_th=f"ทะเบียนตรงบัญชีเฝ้าระวัง {hit.plate} ที่ {source.name_th}{how_th}",
            title_en=f"Hotlist plate {hit.plate} at {source.name_en}{how_en}",
            cameras=docked, now=now, detail=detail)
        lpr.record_hit(session, event_id=event.id, station_id=event.station_id, hit=hit,
                       incident_id=incident.id, now=now)
        opened.append(incident)
    return opened


def remove_pictures(data_dir: Path, refs: list[str | None]) -> int:
    """Delete the stored pictures of forgotten reads (``lpr/...`` refs only); count them."""
    root = (data_dir / "lpr").resolve()
    removed = 0
    for ref in refs:
        if not ref or not ref.startswith("lpr/"):
            continue  # a camera's own URL, nothing of ours to delete
        path = (data_dir / ref).resolve()
        if path.is_relative_to(root) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
