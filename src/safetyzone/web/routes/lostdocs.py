"""Lost-document reports (แจ้งเอกสารหาย): the citizen's public routes (throttled like every
``/api/v1/public`` route; a report is the caller's by its ``X-Caller-Key``), the public
verify page and key, and the station's routes. Rules live in ``services.lostdocs*``.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from safetyzone.core.errors import InvalidInput
from safetyzone.core.paging import MAX_OFFSET, Page
from safetyzone.services import lostdocs, lostdocs_certificate, lostdocs_station
from safetyzone.services.lostdocs_models import LostDocStatus
from safetyzone.services.lostdocs_schemas import (
    LOSTDOC_CODE_PATTERN,
    KindRead,
    LostDocCatalog,
    LostDocCreated,
    LostDocIn,
    LostDocRead,
    LostDocRow,
    LostDocSettingsIn,
    LostDocSettingsRead,
    PublicLostDoc,
    RevokeIn,
    Verification,
    VerifyKey,
)
from safetyzone.services.lostdocs_signing import (
    DATE_PATTERN,
    RECORD_PATTERN,
    SIG_PATTERN,
    Claim,
)
from safetyzone.services.lostdocs_texts import CONSENT_EN, CONSENT_TH, CONSENT_VERSION, KINDS
from safetyzone.web.console.assets import find_node_modules
from safetyzone.web.context import AppContext
from safetyzone.web.deps import ContextDep, ScopeDep
from safetyzone.web.problems import problem_responses
from safetyzone.web.routes.citizen_public import READ, WRITE, CallerKey

router = APIRouter(tags=["lost documents"])
NO_STORE = {"Cache-Control": "no-store"}
Code = Annotated[str, PathParam(min_length=10, max_length=10, pattern=LOSTDOC_CODE_PATTERN,
                                description="Report code, e.g. L-7K3M9QXP.")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The certificate (A4)."}}


@functools.cache
def _keys(secret: str) -> lostdocs.LostDocKeys:
    return lostdocs.LostDocKeys(secret)


def keys(ctx: AppContext) -> lostdocs.LostDocKeys:
    return _keys(ctx.settings.secret_key.get_secret_value())


def defaults(ctx: AppContext) -> lostdocs.Defaults:
    return lostdocs.Defaults(auto_issue=ctx.settings.services_lostdoc_auto_issue,
                             repeat_days=ctx.settings.services_lostdoc_repeat_days)


def _fonts() -> Path:
    return find_node_modules() / "@fontsource" / "sarabun" / "files"


def _pdf(pdf: bytes, code: str) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'inline; filename="lostdoc-{code}.pdf"'})


# -- the citizen ---------------------------------------------------------------------------

@router.get("/api/v1/public/lostdocs/catalog", response_model=LostDocCatalog,
            dependencies=READ)
def read_lostdoc_catalog() -> LostDocCatalog:
    """The document kinds and the consent text (Thai and English) the form shows."""
    return LostDocCatalog(kinds=[KindRead(kind=t.key, th=t.th, en=t.en) for t in KINDS.values()],
                          consent_version=CONSENT_VERSION, consent_th=CONSENT_TH,
                          consent_en=CONSENT_EN)


@router.post("/api/v1/public/lostdocs", response_model=LostDocCreated,
             status_code=status.HTTP_201_CREATED, dependencies=WRITE,
             responses={200: {"model": LostDocCreated,
                              "description": "A retry with the same key: the same report."}})
def create_lostdoc(ctx: ContextDep, body: LostDocIn) -> JSONResponse:
    """Declare lost documents to a station; issued at once or after an officer's review."""
    with ctx.db.write() as session:
        report, created = lostdocs.create_report(
            session, clock=ctx.clock, box=ctx.secrets, keys=keys(ctx), defaults=defaults(ctx),
            data=body)
        station = lostdocs.station_ref(session, report.station_id)
        answer = LostDocCreated(code=report.code, status=report.status,
                                record_no=lostdocs.record_no(station.code, report))
    return JSONResponse(answer.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/api/v1/public/lostdocs/verify-key", response_model=VerifyKey, dependencies=READ)
def read_lostdoc_verify_key(ctx: ContextDep) -> VerifyKey:
    """The public key that signs certificates' QR codes, to check one offline."""
    signer = keys(ctx).signer
    return VerifyKey(public_key=signer.public_raw(), public_key_pem=signer.public_pem(),
                     message_format="UTF-8 of 'SZLD1\\n' + c + '\\n' + r + '\\n' + d, the "
                     "query parameters of the QR's URL; s is the signature, base64url")


SigQuery = Annotated[str, Query(alias="s", min_length=1, max_length=200)]
CodeQuery = Annotated[str, Query(alias="c", min_length=1, max_length=20)]
RecordQuery = Annotated[str, Query(alias="r", min_length=1, max_length=80)]
DateQuery = Annotated[str, Query(alias="d", min_length=1, max_length=20)]
VersionQuery = Annotated[str, Query(alias="v", min_length=1, max_length=4)]


def _claim(v: str, c: str, r: str, d: str, s: str) -> tuple[Claim, str]:
    """The claim from the QR's query; malformed fields are refused like a bad signature."""
    ok = (v == "1" and re.fullmatch(LOSTDOC_CODE_PATTERN, c) and re.fullmatch(RECORD_PATTERN, r)
          and re.fullmatch(DATE_PATTERN, d) and re.fullmatch(SIG_PATTERN, s))
    if ok:
        try:
            date.fromisoformat(d)
        except ValueError:
            ok = False
    if not ok:
        raise InvalidInput("not a certificate's QR: its fields are malformed")
    return Claim(code=c, record_no=r, issued_on=d), s


@router.get("/api/v1/public/lostdocs/verify", response_model=Verification, dependencies=READ,
            responses=problem_responses(422))
def verify_lostdoc(ctx: ContextDep, v: VersionQuery, c: CodeQuery, r: RecordQuery,
                   d: DateQuery, s: SigQuery) -> Verification:
    """Check a certificate's QR (its query parameters): valid, revoked or unknown; a
    tampered or forged signature is refused (422). Answers a masked name only."""
    claim, signature = _claim(v, c, r, d, s)
    with ctx.db.read() as session:
        return lostdocs.verify(session, signer=keys(ctx).signer, claim=claim,
                               signature=signature)


@router.get("/lostdocs/verify", response_class=HTMLResponse, dependencies=READ,
            include_in_schema=False)
def read_lostdoc_verify_page(
    ctx: ContextDep, v: Annotated[str, Query(max_length=4)] = "",
    c: Annotated[str, Query(max_length=20)] = "", r: Annotated[str, Query(max_length=80)] = "",
    d: Annotated[str, Query(max_length=20)] = "", s: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The page a certificate's QR opens (Thai first, English): valid, revoked, unknown,
    or refused (400) for a tampered, forged, cut or malformed QR."""
    try:
        claim, signature = _claim(v, c, r, d, s)
        with ctx.db.read() as session:
            answer = lostdocs.verify(session, signer=keys(ctx).signer, claim=claim,
                                     signature=signature)
    except InvalidInput:
        return HTMLResponse(lostdocs_certificate.render_verify_page(None), status_code=400,
                            headers=NO_STORE)
    return HTMLResponse(lostdocs_certificate.render_verify_page(answer), headers=NO_STORE)


@router.get("/lostdocs/verify.css", response_class=FileResponse, include_in_schema=False)
def read_lostdoc_verify_css() -> FileResponse:
    return FileResponse(lostdocs_certificate.VERIFY_CSS, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/v1/public/lostdocs/{code}", response_model=PublicLostDoc, dependencies=READ)
def read_public_lostdoc(ctx: ContextDep, code: Code, caller_key: CallerKey) -> PublicLostDoc:
    """Your report: its status and record number (with the key your phone made for it)."""
    with ctx.db.read() as session:
        return lostdocs.public_view(session, code=code, caller_key=caller_key)


@router.get("/api/v1/public/lostdocs/{code}/certificate.pdf", response_class=Response,
            dependencies=READ, responses={**PDF, **problem_responses(409)})
def read_public_lostdoc_certificate(ctx: ContextDep, code: Code, caller_key: CallerKey
                                    ) -> Response:
    """Your certificate as PDF, once issued (409 while waiting or after revocation)."""
    with ctx.db.read() as session:
        report = lostdocs.owned(session, code=code, caller_key=caller_key)
        cert = lostdocs_certificate.certificate(
            session, box=ctx.secrets, signer=keys(ctx).signer,
            public_url=ctx.settings.services_public_url, report=report)
    return _pdf(lostdocs_certificate.render_pdf(cert, _fonts()), cert.code)


# -- the station ---------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
StationQuery = Annotated[str | None, Query(max_length=64)]


@router.get("/api/v1/lostdocs", response_model=Page[LostDocRow])
def list_lostdocs(ctx: ContextDep, scope: ScopeDep, station_code: StationQuery = None,
                  status: LostDocStatus | None = None, flagged: bool | None = None,
                  limit: Limit = 100, offset: Offset = 0) -> Page[LostDocRow]:
    """Lost-document reports of your stations, newest first (masked names)."""
    with ctx.db.read() as session:
        rows, total = lostdocs_station.list_reports(
            session, scope=scope, station_code=station_code, status=status, flagged=flagged,
            limit=limit, offset=offset)
    return Page[LostDocRow](items=rows, total=total, limit=limit, offset=offset)


@router.get("/api/v1/lostdocs/flags", response_model=Page[LostDocRow])
def list_lostdoc_flags(ctx: ContextDep, scope: ScopeDep, station_code: StationQuery = None,
                       limit: Limit = 100, offset: Offset = 0) -> Page[LostDocRow]:
    """Repeats waiting for an officer: the same ID declaring a same document kind again
    within the station's window, with the earlier reports they repeat."""
    with ctx.db.read() as session:
        rows, total = lostdocs_station.list_reports(
            session, scope=scope, station_code=station_code, status=LostDocStatus.PENDING,
            flagged=True, limit=limit, offset=offset)
    return Page[LostDocRow](items=rows, total=total, limit=limit, offset=offset)


@router.get("/api/v1/lostdocs/settings", response_model=LostDocSettingsRead)
def read_lostdoc_settings(ctx: ContextDep, scope: ScopeDep,
                          station_code: Annotated[str, Query(min_length=1, max_length=64)]
                          ) -> LostDocSettingsRead:
    """Whether the station issues at once or after review, and its repeat window."""
    with ctx.db.read() as session:
        return lostdocs_station.read_settings(session, scope=scope, defaults=defaults(ctx),
                                              station_code=station_code)


@router.put("/api/v1/lostdocs/settings", response_model=LostDocSettingsRead)
def write_lostdoc_settings(ctx: ContextDep, scope: ScopeDep, body: LostDocSettingsIn
                           ) -> LostDocSettingsRead:
    """Set the station's lost-document settings (audited)."""
    with ctx.db.write() as session:
        return lostdocs_station.write_settings(session, scope=scope, clock=ctx.clock,
                                               defaults=defaults(ctx), data=body)


@router.get("/api/v1/lostdocs/{report_id}", response_model=LostDocRead)
def read_lostdoc(ctx: ContextDep, scope: ScopeDep, report_id: uuid.UUID,
                 response: Response) -> LostDocRead:
    """The whole report with the declarant's name, ID and phone (the read is audited)."""
    response.headers.update(NO_STORE)
    with ctx.db.write() as session:
        return lostdocs_station.read_report(session, scope=scope, clock=ctx.clock,
                                            box=ctx.secrets, report_id=report_id)


@router.post("/api/v1/lostdocs/{report_id}/issue", response_model=LostDocRow,
             responses=problem_responses(409))
def issue_lostdoc(ctx: ContextDep, scope: ScopeDep, report_id: uuid.UUID) -> LostDocRow:
    """Issue a waiting report after review: it gets the station's next number."""
    with ctx.db.write() as session:
        return lostdocs_station.issue(session, scope=scope, clock=ctx.clock,
                                      report_id=report_id)


@router.post("/api/v1/lostdocs/{report_id}/revoke", response_model=LostDocRow,
             responses=problem_responses(409))
def revoke_lostdoc(ctx: ContextDep, scope: ScopeDep, report_id: uuid.UUID,
                   body: RevokeIn) -> LostDocRow:
    """Revoke a report with a reason: its certificate then verifies as revoked."""
    with ctx.db.write() as session:
        return lostdocs_station.revoke(session, scope=scope, clock=ctx.clock,
                                       report_id=report_id, reason=body.reason)


@router.get("/api/v1/lostdocs/{report_id}/certificate.pdf", response_class=Response,
            responses={**PDF, **problem_responses(409)})
def read_lostdoc_certificate(ctx: ContextDep, scope: ScopeDep, report_id: uuid.UUID
                             ) -> Response:
    """The certificate to print for the citizen at the counter (each print audited)."""
    with ctx.db.write() as session:
        report = lostdocs_station.get_report(session, scope=scope, report_id=report_id)
        cert = lostdocs_certificate.certificate(
            session, box=ctx.secrets, signer=keys(ctx).signer,
            public_url=ctx.settings.services_public_url, report=report)
        lostdocs_station.audit_print(session, scope=scope, clock=ctx.clock, report=report)
    return _pdf(lostdocs_certificate.render_pdf(cert, _fonts()), cert.code)

