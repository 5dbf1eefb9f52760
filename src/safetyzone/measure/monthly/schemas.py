"""API shapes of the monthly reports' archive."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class ArchivedReport(BaseModel):
    id: uuid.UUID
    unit_code: str
    unit_kind: str = Field(description="station, region or national")
    name_th: str
    name_en: str
    month: str = Field(description="YYYY-MM, a calendar month in Bangkok time")
    lang: str
    created_at: datetime
    pdf_bytes: int


class ArchiveList(BaseModel):
    items: list[ArchivedReport]
    total: int
