"""The archive of monthly reports: what the sweep rendered for each unit and month.

The PDF and the CSV are stored in the row, not as files under the data directory: the row
and its bytes commit together (a report is archived whole or not at all, and a crash mid-
way leaves nothing half-written), every node of a cluster serves the same archive from the
shared database, and a backup of the database carries the reports with it. A station's
report is some 45 KB (fonts subset, charts as vectors), the country's some 300 KB over
1,480 stations: HQ's whole tree adds about 70 MB a month, under 1 GB a year.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from safetyzone.core.db import Base, UTCDateTime, new_id


class MonthlyReport(Base):
    __tablename__ = "monthly_report"
    # One report per unit, month and language: the sweep's "never twice", even across nodes.
    __table_args__ = (UniqueConstraint("unit_id", "month", "lang",
                                       name="uq_monthly_report_unit_month_lang"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(16))  # station, region, national
    month: Mapped[str] = mapped_column(String(7), index=True)  # 2026-11
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_bytes: Mapped[int] = mapped_column(Integer)
