"""Bulk import and export of a station's asset registry, as CSV or GeoJSON files."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from safetyzone.assets import transfer
from safetyzone.assets.schemas import ImportReport, TransferFormat
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["assets"])
CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"
BOM = "\ufeff"  # lets Excel read the CSV as UTF-8, so Thai shows correctly


async def read_upload(request: Request) -> bytes:
    """The raw request body; BodyLimit has already capped its size for ``/import`` paths."""
    return await request.body()


def upload_format(
    request: Request,
    fmt: Annotated[TransferFormat | None, Query(
        alias="format", description="Default: geojson for a JSON content type, else csv.",
    )] = None,
) -> TransferFormat:
    """The format asked for, or the one the Content-Type names."""
    if fmt is not None:
        return fmt
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    json_types = {GEOJSON_TYPE, "application/json"}
    return TransferFormat.GEOJSON if content_type in json_types else TransferFormat.CSV


Upload = Annotated[bytes, Depends(read_upload)]
UploadFormat = Annotated[TransferFormat, Depends(upload_format)]
Format = Annotated[TransferFormat, Query(alias="format")]
_UPLOAD_DOC: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    GEOJSON_TYPE: {"schema": {"type": "object"}},
}}}


@router.post("/stations/{station_code}/assets/import", response_model=ImportReport,
             openapi_extra=_UPLOAD_DOC)
def import_station_assets(
    ctx: ContextDep, scope: ScopeDep, station_code: str, body: Upload, fmt: UploadFormat,
) -> ImportReport:
    """Create every row of the uploaded file, or none: a refusal lists each problem."""
    with ctx.db.write() as session:
        return transfer.import_file(session, scope=scope, clock=ctx.clock, secrets=ctx.secrets,
                                    station_code=station_code, fmt=fmt, body=body)


@router.get("/stations/{station_code}/assets/export", response_class=Response,
            responses={200: {"content": {CSV_TYPE: {}, GEOJSON_TYPE: {}}}})
def export_station_assets(
    ctx: ContextDep, scope: ScopeDep, station_code: str, fmt: Format = TransferFormat.CSV,
) -> Response:
    """Every asset and camera of the station you may see, ready to import; no secrets.

    Audited: an export maps every camera of the station.
    """
    with ctx.db.write() as session:
        if fmt is TransferFormat.CSV:
            text = BOM + transfer.export_csv(session, scope=scope, clock=ctx.clock,
                                             station_code=station_code)
            media_type = CSV_TYPE
        else:
            text = json.dumps(transfer.export_geojson(
                session, scope=scope, clock=ctx.clock, station_code=station_code),
                ensure_ascii=False)
            media_type = GEOJSON_TYPE
    name = f"assets-{station_code}.{fmt.value}".replace('"', "")
    return Response(text.encode("utf-8"), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
