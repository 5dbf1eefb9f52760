"""The lost-document certificate (ใบรับแจ้งเอกสารหาย) as PDF: Thai first with English,
Sarabun embedded (``core.pdf``), dates in the Buddhist Era, the station and the issuing
officer (or "issued automatically"), and a QR of the signed verify URL.

Every value is escaped by Jinja2's autoescape; no value reaches the style sheet. Rendering
is CPU work of about a second: call it from a plain ``def`` route (a thread).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from safetyzone.core import pdf as papers
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.errors import Conflict
from safetyzone.core.secretbox import SecretBox
from safetyzone.services import lostdocs
from safetyzone.services.lostdocs_models import LostDocReport, LostDocStatus
from safetyzone.services.lostdocs_schemas import Verification
from safetyzone.services.lostdocs_signing import VERIFY_PATH, CertificateSigner
from safetyzone.services.lostdocs_texts import thai_date

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Certificate:
    """Everything printed on one certificate, already in words."""

    code: str
    record_no: str
    number_th: str  # "12/2569"
    station_code: str
    station_th: str
    station_en: str
    issued_th: str
    issued_en: str
    name: str
    national_id: str  # 1-2345-67890-12-1
    phone: str
    items: list[tuple[str, str]]  # (Thai, English)
    lost_th: str
    lost_where: str
    how: str
    officer_th: str
    officer_en: str
    verify_url: str
    verify_base: str  # printed under the QR: where to check by hand


def _format_id(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def certificate(session: Session, *, box: SecretBox, signer: CertificateSigner,
                public_url: str, report: LostDocReport) -> Certificate:
    """The certificate of an issued report (a waiting or revoked one has none: 409)."""
    if report.status is not LostDocStatus.ISSUED or report.issued_at is None:
        raise Conflict(f"the report is {report.status.value}: it has no certificate")
    station = lostdocs.station_ref(session, report.station_id)
    claim = lostdocs.claim_of(session, report)
    issued = as_utc(report.issued_at).astimezone(BANGKOK)
    lost = thai_date(report.lost_on) + (f" เวลาประมาณ {report.lost_time} น."
                                        if report.lost_time else "")
    items = [(k.th + (f" ({k.detail})" if k.detail else ""),
              k.en + (f" ({k.detail})" if k.detail else ""))
             for k in lostdocs.kinds_of(report)]
    if report.issued_by_name:
        officer_th = officer_en = report.issued_by_name
    else:
        officer_th, officer_en = "ออกโดยระบบอัตโนมัติ", "Issued automatically"
    return Certificate(
        code=report.code, record_no=claim.record_no,
        number_th=f"{report.number}/{report.be_year}", station_code=station.code,
        station_th=station.name_th, station_en=station.name_en,
        issued_th=f"{thai_date(issued.date())} เวลา {issued:%H:%M} น.",
        issued_en=f"{issued:%d %B %Y %H:%M} (Bangkok)",
        name=box.open(report.name_sealed),
        national_id=_format_id(box.open(report.national_id_sealed)),
        phone=box.open(report.phone_sealed), items=items, lost_th=lost,
        lost_where=report.lost_where, how=report.how, officer_th=officer_th,
        officer_en=officer_en, verify_url=signer.url(public_url, claim),
        verify_base=f"{public_url}{VERIFY_PATH}")


@functools.cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


def render_html(cert: Certificate, fonts_dir: Path) -> str:
    return _env().get_template("lostdoc_certificate.html").render(
        c=cert, fonts=papers.fonts(fonts_dir), qr=papers.qr_svg_uri(cert.verify_url))


def render_pdf(cert: Certificate, fonts_dir: Path) -> bytes:
    return papers.html_to_pdf(render_html(cert, fonts_dir))


VERIFY_CSS = TEMPLATES / "lostdoc_verify.css"


def render_verify_page(answer: Verification | None) -> str:
    """The public verify page: the answer, or (``None``) the refusal of a bad signature."""
    return _env().get_template("lostdoc_verify.html").render(v=answer, refused=answer is None)
