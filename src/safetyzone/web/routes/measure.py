"""Measurement over HTTP: a station's facts, and its imported 191-call and crime-case
records. Rules live in ``measure.facts`` and ``measure.records``; docs in docs/measure/."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import AwareDatetime

from safetyzone.core.errors import PayloadTooLarge, Problem
from safetyzone.measure import facts, records
from safetyzone.measure.models import RecordSource
from safetyzone.measure.record_files import MAX_FILE_BYTES
from safetyzone.measure.schemas import (
    FactIn,
    Figure,
    RecordImportList,
    RecordImportOut,
    RecordImportReport,
    RecordList,
    StationFacts,
)
from safetyzone.ops.calltypes import CrimeGroup
from safetyzone.web.deps import ContextDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["measure"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/stations/{station_code}/facts", response_model=StationFacts)
def read_facts(ctx: ContextDep, scope: ScopeDep, station_code: str) -> StationFacts:
    """The station's area, population and other figures beside its zones', each with its
    status (exact, approximate, unknown) and source."""
    with ctx.db.read() as session:
        return facts.station_facts(session, scope=scope, station_code=station_code)


@router.put("/stations/{station_code}/facts/{key}", response_model=Figure)
def set_fact(ctx: ContextDep, scope: ScopeDep, station_code: str, key: str,
             body: FactIn) -> Figure:
    """Set one figure of the station or (``zone_code``) of a zone; admins and commanders;
    audited with the value before and after."""
    with ctx.db.write() as session:
        return facts.set_fact(session, scope=scope, clock=ctx.clock, station_code=station_code,
                              key=key, data=body)


@router.post("/stations/{station_code}/records/import", response_model=RecordImportReport)
def import_records(
    ctx: ContextDep, scope: ScopeDep, station_code: str,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or Excel .xlsx")],
    source: Annotated[RecordSource, Query(description="191 call log or crime-case register")],
    dry_run: Annotated[bool, Query(description="Check and report; store nothing.")] = False,
) -> RecordImportReport:
    """Store every row of a 191 or crime-case file, or none: a refusal lists each problem
    with its line. ``dry_run`` checks everything (duplicates too) and stores nothing."""
    body = file.file.read(MAX_FILE_BYTES + 1)
    if len(body) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_FILE_BYTES} bytes",
                              [Problem(f"larger than {MAX_FILE_BYTES} bytes", "file")])
    with ctx.db.write() as session:
        return records.import_records(session, scope=scope, clock=ctx.clock,
                                      station_code=station_code, source=source,
                                      file_name=file.filename, body=body, dry_run=dry_run)


@router.get("/stations/{station_code}/record-imports", response_model=RecordImportList)
def list_record_imports(ctx: ContextDep, scope: ScopeDep, station_code: str,
                        limit: Limit = 50, offset: Offset = 0) -> RecordImportList:
    """The station's imports, newest first: who, when, which file, how many rows."""
    with ctx.db.read() as session:
        return records.list_imports(session, scope=scope, station_code=station_code,
                                    limit=limit, offset=offset)


@router.delete("/record-imports/{import_id}", response_model=RecordImportOut)
def delete_record_import(ctx: ContextDep, scope: ScopeDep,
                         import_id: uuid.UUID) -> RecordImportOut:
    """Take an import back whole, with its records; admins and commanders; audited."""
    with ctx.db.write() as session:
        return records.delete_import(session, scope=scope, clock=ctx.clock, import_id=import_id)


@router.get("/stations/{station_code}/records", response_model=RecordList)
def list_records(
    ctx: ContextDep, scope: ScopeDep, station_code: str, source: RecordSource | None = None,
    group: CrimeGroup | None = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None,
    import_id: uuid.UUID | None = None, limit: Limit = 100, offset: Offset = 0,
) -> RecordList:
    """The station's imported records, newest first, by source, group, type, time, import."""
    with ctx.db.read() as session:
        return records.list_records(session, scope=scope, station_code=station_code,
                                    source=source, group=group, kind=kind, since=since,
                                    until=until, import_id=import_id, limit=limit,
                                    offset=offset)
