"""Bulk import and export of a station's asset registry (CSV and GeoJSON).

An import is all-or-nothing: every row goes through the ordinary ``create_asset`` /
``create_camera`` (so it meets the same checks as one made by hand), each in a SAVEPOINT so
one refused row does not hide the problems of the next; if any row is refused, the whole
import is rolled back and every problem is reported with its line (CSV) or feature (GeoJSON).
Creation order lets a file list an SOS point before the cameras it binds: assets without
bindings, then cameras, then assets with bindings.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.assets.models import Asset, AssetKind, Camera, CameraBinding
from safetyzone.assets.schemas import AssetCreate, CameraCreate, ImportReport, TransferFormat
from safetyzone.assets.transfer_csv import (
    ASSET_ONLY,
    CAMERA,
    CAMERA_ONLY,
    SourceRow,
    check_text,
    read_csv,
    write_csv,
)
from safetyzone.assets.transfer_geojson import parse_json, read_geojson, write_geojson
from safetyzone.audit import service as audit
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, Problem, SafetyZoneError
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.org import service as org
from safetyzone.org import zones
from safetyzone.org.models import OrgUnit

KINDS = (*(kind.value for kind in AssetKind), CAMERA)
NUMBERS = frozenset({"lat", "lon", "heading_deg", "fov_deg"})
FLAGS = frozenset({"has_speaker", "synthetic", "plate_reading"})
TRUE, FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
PAGE = 1000
T = TypeVar("T")


def decode_upload(body: bytes) -> str:
    """Uploaded bytes as text: UTF-8 with or without a byte order mark, nothing else."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        raise InvalidInput(
            "the file is not UTF-8 text (in Excel save it as 'CSV UTF-8')",
            [Problem(f"byte {err.start} is not UTF-8", line=line)]) from err
    return check_text(text)


def import_file(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox, station_code: str,
    fmt: TransferFormat, body: bytes,
) -> ImportReport:
    """Import an uploaded file; the caller's access is checked before its bytes are read."""
    _import_station(session, scope, station_code)
    text = decode_upload(body)
    if fmt is TransferFormat.CSV:
        return import_csv(session, scope=scope, clock=clock, secrets=secrets,
                          station_code=station_code, text=text)
    return import_geojson(session, scope=scope, clock=clock, secrets=secrets,
                          station_code=station_code, data=parse_json(text))


def import_csv(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox, station_code: str,
    text: str,
) -> ImportReport:
    """Create every row of a CSV file at the station, or none of them."""
    station = _import_station(session, scope, station_code)
    rows, problems = read_csv(text)
    return _import(session, scope=scope, clock=clock, secrets=secrets, station=station,
                   fmt=TransferFormat.CSV, rows=rows, file_problems=problems)


def import_geojson(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox, station_code: str,
    data: Any,
) -> ImportReport:
    """Create every feature of a GeoJSON FeatureCollection at the station, or none of them."""
    station = _import_station(session, scope, station_code)
    rows, problems = read_geojson(data)
    return _import(session, scope=scope, clock=clock, secrets=secrets, station=station,
                   fmt=TransferFormat.GEOJSON, rows=rows, file_problems=problems)


def _import_station(session: Session, scope: Scope, station_code: str) -> OrgUnit:
    # Not-found first: a station outside the scope must look like a missing one.
    station = org.get_station(session, scope=scope, code=station_code)
    scope.require(Permission.ASSET_WRITE)
    return station


@dataclass
class _Plan:
    row: SourceRow
    kind: str
    data: AssetCreate | CameraCreate | None
    code: str | None = None


def _import(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox, station: OrgUnit,
    fmt: TransferFormat, rows: list[SourceRow], file_problems: list[Problem],
) -> ImportReport:
    plans = _plans(rows, station.code)
    counts: dict[str, int] = {}
    # An outer SAVEPOINT, so a refused import leaves nothing behind even for a caller that
    # catches the error and commits.
    with session.begin_nested():
        points: dict[str, _Plan] = {}
        cams: dict[str, _Plan] = {}
        for plan in plans:
            if plan.code:
                (cams if plan.kind == CAMERA else points).setdefault(plan.code, plan)
        for plan in _ordered(plans):
            if not plan.row.problems and _attempt(session, plan.row, _creator(
                    session, scope=scope, clock=clock, secrets=secrets, data=plan.data),
                    _leaning(plan, points, cams)):
                counts[plan.kind] = counts.get(plan.kind, 0) + 1
        refused = [row for row in rows if row.problems]
        if refused or file_problems:
            problems = file_problems + [p for row in refused for p in row.problems]
            what = (f"{len(refused)} {'row' if len(refused) == 1 else 'rows'} refused"
                    if refused else "the file was refused")
            raise InvalidInput(f"{what}; nothing was imported", problems)
        report = ImportReport(created=sum(counts.values()), kind_counts=counts,
                              station_code=station.code, format=fmt)
        audit.record(session, actor=scope, at=clock.now(), action="asset.import",
                     entity="station", entity_id=station.id, station_id=station.id,
                     detail={"format": fmt.value, "created": report.created,
                             "kind_counts": counts})
    return report


def _ordered(plans: list[_Plan]) -> Iterator[_Plan]:
    """Assets without bindings, then cameras, then assets with bindings (SOS points)."""
    def phase(plan: _Plan) -> int:
        if isinstance(plan.data, CameraCreate):
            return 1
        return 2 if plan.data and plan.data.bound_camera_codes else 0
    return iter(sorted((p for p in plans if p.data is not None), key=phase))


def _leaning(plan: _Plan, points: dict[str, _Plan], cams: dict[str, _Plan]) -> dict[str, str]:
    """Better words for "unknown code" where the code is a refused row of the same file.

    Rows that lean on others come later in the order, so those were tried already.
    """
    data = plan.data
    if isinstance(data, CameraCreate):
        refs = [(points.get(data.point_code), "point_code",
                 f"camera point '{data.point_code}'")]
    else:
        refs = [(cams.get(code), f"bound_camera_codes[{i}]", f"camera '{code}'")
                for i, code in enumerate(data.bound_camera_codes if data else [])]
    return {column: f"{what} ({ref.row.label}) was refused"
            for ref, column, what in refs if ref is not None and ref.row.problems}


def _creator(
    session: Session, *, scope: Scope, clock: Clock, secrets: SecretBox,
    data: AssetCreate | CameraCreate | None,
) -> Callable[[], object]:
    if isinstance(data, CameraCreate):
        return lambda: assets.create_camera(session, scope=scope, clock=clock,
                                            secrets=secrets, data=data)
    assert data is not None
    return lambda: assets.create_asset(session, scope=scope, clock=clock, data=data)


def _attempt(
    session: Session, row: SourceRow, create: Callable[[], object], explain: dict[str, str]
) -> bool:
    """Run one service call in a SAVEPOINT; a refusal becomes the row's problems."""
    try:
        with session.begin_nested():
            create()
    except SafetyZoneError as err:
        found = [(p.reason, p.field) for p in err.problems]
        if len(found) <= 1:  # the detail says more than a single short reason
            found = [(err.detail, found[0][1] if found else None)]
        for reason, column in found:
            row.refuse(explain.get(column or "", reason), column)
        return False
    return True


def _plans(rows: list[SourceRow], station_code: str) -> list[_Plan]:
    plans: list[_Plan] = []
    seen: dict[tuple[str, str], SourceRow] = {}
    for row in rows:
        if row.problems and not row.cells:  # not even a row: nothing more to say about it
            plans.append(_Plan(row, "", None))
            continue
        kind = row.cells.get("kind")
        kind = kind.strip() if isinstance(kind, str) else kind
        if kind not in KINDS:
            row.refuse(f"unknown kind '{kind}'; use one of: {', '.join(KINDS)}" if kind
                       else "kind is required", "kind")
            plans.append(_Plan(row, "", None))
            continue
        assert isinstance(kind, str)
        values = _values(row, kind)
        data = _validate(row, kind, values, station_code)
        code = values.get("code")
        if isinstance(code, str):
            key = ("camera" if kind == CAMERA else "asset", code)
            if key in seen:
                row.refuse(f"code '{code}' is already used on {seen[key].label} of this file",
                           "code")
            seen.setdefault(key, row)
        plans.append(_Plan(row, kind, None if row.problems else data,
                           code if isinstance(code, str) else None))
    return plans


def _values(row: SourceRow, kind: str) -> dict[str, object]:
    not_for = ASSET_ONLY if kind == CAMERA else CAMERA_ONLY
    values: dict[str, object] = {}
    for column, raw in row.cells.items():
        if column in not_for:
            row.refuse(f"not used for kind '{kind}'", column)
            continue
        try:
            value = _convert(column, raw)
        except ValueError as err:
            row.refuse(str(err), column)
            continue
        if value is not None:
            values[column] = value
    return values


def _validate(
    row: SourceRow, kind: str, values: dict[str, object], station_code: str
) -> AssetCreate | CameraCreate | None:
    fields = {**values, "station_code": station_code}
    try:
        if kind == CAMERA:
            fields.pop("kind", None)
            return CameraCreate.model_validate(fields)
        return AssetCreate.model_validate(fields)
    except ValidationError as err:
        for error in err.errors():
            given = error.get("input")
            reason = error["msg"]
            if error["type"] != "missing" and isinstance(given, str | int | float):
                reason = f"{reason} (given: {given!r})"
            column = ".".join(str(part) for part in error["loc"]) or None
            row.refuse(reason, column)
        return None


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"expected text, not {type(raw).__name__}")
    return raw.strip() or None


def _convert(column: str, raw: object) -> object:
    """A cell as the schema wants it; ``None`` when empty. Raises ``ValueError`` on garbage."""
    if column in NUMBERS:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            number = float(raw)
        else:
            text = _text(raw)
            if text is None:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"'{text}' is not a number") from None
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number
    if column in FLAGS:
        if isinstance(raw, bool):
            return raw
        text = (_text(raw) or "").lower()
        if text in TRUE | FALSE:
            return text in TRUE
        raise ValueError(f"'{raw}' is not a yes/no value: use true, false, 1, 0, yes or no")
    if column == "bound_camera_codes":
        items = raw if isinstance(raw, list) else (_text(raw) or "").split(";")
        codes = [code for code in (_text(item) for item in items) if code]
        doubled = sorted({code for code in codes if codes.count(code) > 1})
        if doubled:
            raise ValueError(f"camera '{doubled[0]}' is listed twice")
        return codes or None
    return _text(raw)


def export_csv(session: Session, *, scope: Scope, clock: Clock, station_code: str) -> str:
    """Every asset and camera of the station the caller may see, as import-ready CSV."""
    return write_csv(_exported(session, scope, clock, station_code, "csv"))


def export_geojson(
    session: Session, *, scope: Scope, clock: Clock, station_code: str
) -> dict[str, Any]:
    """Every asset and camera of the station the caller may see, as a FeatureCollection."""
    return write_geojson(_exported(session, scope, clock, station_code, "geojson"))


def _exported(session: Session, scope: Scope, clock: Clock, station_code: str,
              fmt: str) -> list[dict[str, object]]:
    """The records, with an audit row: a registry export maps every camera, homes included."""
    records = _records(session, scope, station_code)
    station = org.get_station(session, scope=scope, code=station_code)
    audit.record(session, actor=scope, at=clock.now(), action="asset.export", entity="station",
                 entity_id=station.id, station_id=station.id,
                 detail={"format": fmt, "rows": len(records)})
    return records


def _pages(fetch: Callable[[int], tuple[list[T], int]]) -> list[T]:
    out: list[T] = []
    while True:
        rows, total = fetch(len(out))
        out += rows
        if not rows or len(out) >= total:
            return out


def _records(session: Session, scope: Scope, station_code: str) -> list[dict[str, object]]:
    """Stream secrets never leave: those columns stay empty."""
    station = org.get_station(session, scope=scope, code=station_code)
    rows = _pages(lambda offset: assets.list_assets(
        session, scope=scope, station_id=station.id, limit=PAGE, offset=offset))
    cameras = _pages(lambda offset: assets.list_cameras(
        session, scope=scope, station_id=station.id, limit=PAGE, offset=offset))
    zone_codes = {z.id: z.code for z in zones.list_zones(
        session, scope=scope, station_id=station.id, limit=10_000)[0]}
    partner_codes = {p.id: p.code for p in org.list_partners(session, scope=scope)}
    camera_codes = {c.id: c.code for c in cameras}
    point_codes = _point_codes(session, {a.id: a.code for a in rows}, cameras)
    bound: dict[uuid.UUID, list[str]] = {}
    for asset_id, camera_id in session.execute(
            select(CameraBinding.asset_id, CameraBinding.camera_id).join(Asset)
            .where(Asset.station_id == station.id)
            .order_by(CameraBinding.asset_id, CameraBinding.position)):
        if camera_id in camera_codes:  # only cameras the caller may see
            bound.setdefault(asset_id, []).append(camera_codes[camera_id])
    out: list[dict[str, object]] = [{
        "kind": a.kind.value, "code": a.code, "name_th": a.name_th, "name_en": a.name_en or None,
        "lat": a.lat, "lon": a.lon, "zone_code": zone_codes.get(a.zone_id) if a.zone_id else None,
        "owner_class": a.owner_class.value,
        "owner_partner_code": partner_codes.get(a.owner_partner_id) if a.owner_partner_id
        else None,
        "has_speaker": a.has_speaker, "status": a.status.value, "synthetic": a.synthetic,
        "note": a.note, "bound_camera_codes": bound.get(a.id),
    } for a in rows]
    out += [{
        "kind": CAMERA, "code": c.code, "name_th": c.name_th, "lat": c.lat, "lon": c.lon,
        "owner_class": c.owner_class.value,
        "owner_partner_code": partner_codes.get(c.owner_partner_id) if c.owner_partner_id
        else None,
        "status": c.status.value, "synthetic": c.synthetic, "point_code": point_codes[c.point_id],
        "heading_deg": c.heading_deg, "fov_deg": c.fov_deg, "plate_reading": c.plate_reading,
        "sharing_level": c.sharing_level.value,
        "sharing_until": c.sharing_until.isoformat() if c.sharing_until else None,
        "stream_url": None, "stream_username": None, "stream_password": None,
    } for c in cameras]
    return out


def _point_codes(
    session: Session, known: dict[uuid.UUID, str], cameras: list[Camera]
) -> dict[uuid.UUID, str]:
    """Codes of the cameras' points, also of a point the caller does not otherwise see."""
    missing = {c.point_id for c in cameras} - known.keys()
    if missing:
        known = {**known, **dict(session.execute(
            select(Asset.id, Asset.code).where(Asset.id.in_(missing))).all())}
    return known
