"""Lost-document reports (แจ้งเอกสารหาย): what a citizen declares, the station's numbered
record, repeats flagged to an officer, and the public verification of a certificate.

A report is issued at once or waits for an officer, per station setting (``lostdoc_setting``,
else the server's defaults); a report that repeats an earlier one (same national ID, a same
document kind, within the station's window) always waits for an officer. Issuing gives the
next running number of the station in the Buddhist Era year of the issue: the counter row is
created if missing and incremented with one ``UPDATE ... RETURNING`` in the issuing
transaction, which PostgreSQL serialises on the row lock and SQLite on its one writer
(``BEGIN IMMEDIATE``); a unique constraint on (station, year, number) is the backstop.

The citizen owns a report by the key its phone generated (as with citizen tickets): an
unknown code and a wrong key answer the same 404. The national ID is sealed; its keyed
digest (HMAC under a key derived from the server secret) finds repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import records
from safetyzone.core.clock import BANGKOK, Clock, as_utc
from safetyzone.core.db import Database
from safetyzone.core.errors import InvalidInput, NotFound, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.thai import BE_OFFSET
from safetyzone.org import service as org
from safetyzone.org.models import UnitKind
from safetyzone.services.lostdocs_models import (
    LostDocChannel,
    LostDocCounter,
    LostDocReport,
    LostDocSetting,
    LostDocStatus,
)
from safetyzone.services.lostdocs_schemas import (
    KindRead,
    LostDocIn,
    PublicLostDoc,
    StationRef,
    Verification,
)
from safetyzone.services.lostdocs_signing import CertificateSigner, Claim
from safetyzone.services.lostdocs_texts import (
    CONSENT_VERSION,
    KINDS,
    LostDocKind,
    mask_name,
    thai_date,
)

NOT_YOURS = "no such report, or it is not yours"
MAX_AGE_DAYS = 5 * 366  # a loss declared years later is not what this service records


@dataclass(frozen=True)
class Defaults:
    """The server's settings for stations without their own row."""

    auto_issue: bool
    repeat_days: int


class LostDocKeys:
    """The server's keys for this service, all derived from ``SSZ_SECRET_KEY``."""

    def __init__(self, secret_key: str) -> None:
        self.signer = CertificateSigner(secret_key)
        self._id_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                            info=b"safetyzone lost-document id digest").derive(
                                secret_key.encode())

    def id_digest(self, national_id: str) -> str:
        return hmac.new(self._id_key, national_id.encode(), hashlib.sha256).hexdigest()


def now_bangkok_date(clock: Clock) -> date:
    return as_utc(clock.now()).astimezone(BANGKOK).date()


def record_no(station_code: str, report: LostDocReport) -> str | None:
    if report.number is None or report.be_year is None:
        return None
    return f"{station_code}/{report.number}/{report.be_year}"


def kinds_of(report: LostDocReport) -> list[KindRead]:
    out = []
    for item in report.items:
        term = KINDS[LostDocKind(item["kind"])]
        out.append(KindRead(kind=term.key, th=term.th, en=term.en, detail=item.get("detail")))
    return out


def station_ref(session: Session, station_id: uuid.UUID) -> StationRef:
    unit = org.get_unit(session, unit_id=station_id)
    return StationRef(code=unit.code, name_th=unit.name_th, name_en=unit.name_en)


def settings_for(session: Session, station_id: uuid.UUID, defaults: Defaults
                 ) -> tuple[Defaults, bool]:
    """The station's settings, and whether they are the server's defaults."""
    row = session.get(LostDocSetting, station_id)
    if row is None:
        return defaults, True
    return Defaults(auto_issue=row.auto_issue, repeat_days=row.repeat_days), False


def _public_station(session: Session, code: str) -> uuid.UUID:
    try:
        unit = org.get_unit_by_code(session, code=code)
    except NotFound:
        unit = None
    if unit is None or unit.kind is not UnitKind.STATION:
        raise InvalidInput("no such station", [Problem("no station with this code",
                                                       "station_code")])
    return unit.id


def _check_dates(data: LostDocIn, today: date) -> None:
    if data.lost_on > today:
        raise InvalidInput("the loss is dated in the future",
                           [Problem("must be today or earlier (Bangkok)", "lost_on")])
    if (today - data.lost_on).days > MAX_AGE_DAYS:
        raise InvalidInput("the loss is dated too long ago",
                           [Problem("must be within 5 years", "lost_on")])
    if data.consent_version != CONSENT_VERSION:
        raise InvalidInput("consent is needed before sending", [Problem(
            f"the consent text is now version {CONSENT_VERSION}: show it and ask again",
            "consent_version")])


def _new_code(session: Session) -> str:
    while True:
        code = f"L-{records.random_code(8)}"
        if session.scalar(select(LostDocReport.id).where(LostDocReport.code == code)) is None:
            return code


def find_repeats(session: Session, *, digest: str, kinds: set[str], since: datetime,
                 exclude: uuid.UUID | None = None) -> list[dict[str, object]]:
    """Earlier live reports (pending or issued) of the same ID sharing a document kind."""
    rows = session.scalars(select(LostDocReport).where(
        LostDocReport.id_digest == digest, LostDocReport.created_at >= since,
        LostDocReport.status != LostDocStatus.REVOKED).order_by(LostDocReport.created_at))
    out: list[dict[str, object]] = []
    for row in rows:
        shared = sorted(kinds & {i["kind"] for i in row.items})
        if row.id == exclude or not shared:
            continue
        code = org.get_unit(session, unit_id=row.station_id).code
        out.append({"code": row.code, "record_no": record_no(code, row), "kinds": shared,
                    "created_at": as_utc(row.created_at).isoformat(), "station_code": code})
    return out


def next_number(session: Session, *, station_id: uuid.UUID, be_year: int) -> int:
    """The station's next running number in ``be_year``, safe against concurrent issues."""
    table = LostDocCounter
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(station_id=station_id, be_year=be_year,
                                         last_number=0).on_conflict_do_nothing())
    number: int = session.execute(
        update(table).where(table.station_id == station_id, table.be_year == be_year)
        .values(last_number=table.last_number + 1).returning(table.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return number


def issue_now(session: Session, *, clock: Clock, report: LostDocReport,
              username: str | None, display_name: str | None) -> None:
    """Number the report and mark it issued (by ``username``, or automatically)."""
    now = clock.now()
    be_year = as_utc(now).astimezone(BANGKOK).year + BE_OFFSET
    report.number = next_number(session, station_id=report.station_id, be_year=be_year)
    report.be_year = be_year
    report.status = LostDocStatus.ISSUED
    report.issued_at = now
    report.issued_by = username
    report.issued_by_name = display_name
    report.updated_at = now


def create_report(session: Session, *, clock: Clock, box: SecretBox, keys: LostDocKeys,
                  defaults: Defaults, data: LostDocIn,
                  channel: LostDocChannel = LostDocChannel.WEB) -> tuple[LostDocReport, bool]:
    """Store a declaration; a retry with the same client key is the same report (False)."""
    key_hash = records.digest(data.client_key)
    records.lock_key(session, key_hash)
    existing = session.scalar(select(LostDocReport).where(
        LostDocReport.client_key_hash == key_hash))
    if existing is not None:
        return existing, False
    station_id = _public_station(session, data.station_code)
    now = clock.now()
    _check_dates(data, now_bangkok_date(clock))
    setting, _ = settings_for(session, station_id, defaults)
    digest = keys.id_digest(data.national_id)
    items = [{"kind": i.kind.value, "detail": i.detail.strip() if i.detail else None}
             for i in data.items]
    repeats = find_repeats(session, digest=digest, kinds={i["kind"] or "" for i in items},
                           since=now - timedelta(days=setting.repeat_days))
    report = LostDocReport(
        code=_new_code(session), station_id=station_id, channel=channel,
        client_key_hash=key_hash, status=LostDocStatus.PENDING,
        name_sealed=box.seal(data.name), national_id_sealed=box.seal(data.national_id),
        phone_sealed=box.seal(data.phone), id_digest=digest, masked_name=mask_name(data.name),
        items=items, lost_on=data.lost_on, lost_time=data.lost_time,
        lost_where=data.lost_where, how=data.how,
        consent={"version": data.consent_version, "at": now.isoformat()},
        repeats=repeats, flagged=bool(repeats), created_at=now, updated_at=now)
    session.add(report)
    session.flush()
    audit.record(session, actor=None, username=f"citizen:{channel.value}", at=now,
                 action="lostdoc.create", entity="lostdoc_report", entity_id=report.id,
                 station_id=station_id,
                 detail={"code": report.code, "kinds": [i["kind"] for i in items],
                         "flagged": bool(repeats)})
    if setting.auto_issue and not repeats:
        issue_now(session, clock=clock, report=report, username=None, display_name=None)
        audit.record(session, actor=None, username="system", at=now, action="lostdoc.issue",
                     entity="lostdoc_report", entity_id=report.id, station_id=station_id,
                     detail={"code": report.code, "number": report.number,
                             "be_year": report.be_year, "auto": True})
    return report, True


def owned(session: Session, *, code: str, caller_key: str | None) -> LostDocReport:
    report = session.scalar(select(LostDocReport).where(
        LostDocReport.code == records.normalize_code(code)))
    if report is None or not caller_key or not records.same_digest(
            report.client_key_hash, caller_key):
        raise NotFound(NOT_YOURS)
    return report


def public_view(session: Session, *, code: str, caller_key: str | None) -> PublicLostDoc:
    report = owned(session, code=code, caller_key=caller_key)
    station = station_ref(session, report.station_id)
    issued = report.status is LostDocStatus.ISSUED
    return PublicLostDoc(
        code=report.code, status=report.status, station=station, items=kinds_of(report),
        masked_name=report.masked_name, created_at=report.created_at,
        record_no=record_no(station.code, report), issued_at=report.issued_at,
        revoked_at=report.revoked_at, revoke_reason=report.revoke_reason,
        certificate_url=(f"/api/v1/public/lostdocs/{report.code}/certificate.pdf"
                         if issued else None))


def claim_of(session: Session, report: LostDocReport) -> Claim:
    """What the report's certificate QR signs (issued reports only)."""
    code = org.get_unit(session, unit_id=report.station_id).code
    number = record_no(code, report)
    assert number is not None and report.issued_at is not None
    issued_on = as_utc(report.issued_at).astimezone(BANGKOK).date()
    return Claim(code=report.code, record_no=number, issued_on=issued_on.isoformat())


def verify(session: Session, *, signer: CertificateSigner, claim: Claim, signature: str
           ) -> Verification:
    """Valid, revoked or unknown for a correctly signed claim; refuse anything else.

    A signature that is not this server's over exactly these fields (a changed code,
    number or date, or a made-up signature) is refused with 422 and reads nothing.
    """
    if not signer.verify(claim, signature):
        raise InvalidInput("the certificate's signature does not match: this QR was altered "
                           "or was not issued by this server",
                           [Problem("signature does not match the certificate", "s")])
    issued_on = date.fromisoformat(claim.issued_on)
    base = {"code": claim.code, "record_no": claim.record_no, "issued_on": issued_on,
            "issued_on_th": thai_date(issued_on)}
    report = session.scalar(select(LostDocReport).where(LostDocReport.code == claim.code))
    if report is None or report.number is None or claim_of(session, report) != claim:
        return Verification(result="unknown", **base)
    station = station_ref(session, report.station_id)
    answer = Verification(result="valid", station=station, items=kinds_of(report),
                          masked_name=report.masked_name, **base)
    if report.status is LostDocStatus.REVOKED and report.revoked_at is not None:
        revoked_on = as_utc(report.revoked_at).astimezone(BANGKOK).date()
        answer.result = "revoked"
        answer.revoked_on, answer.revoked_on_th = revoked_on, thai_date(revoked_on)
    return answer


def forget_before(session: Session, cutoff: datetime) -> int:
    """Delete reports sent before ``cutoff`` (retention); their QR then verifies unknown.

    The running-number counters stay, so a number is never given twice."""
    result = session.execute(delete(LostDocReport).where(LostDocReport.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_sweep(db: Database, clock: Clock, *, retain_days: int) -> int:
    """The runtime sweeper's pass: reports past their retention go (see forget_before)."""
    with db.write() as session:
        return forget_before(session, clock.now() - timedelta(days=retain_days))
