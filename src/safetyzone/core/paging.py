"""Paging shape shared by every list endpoint."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
# The largest offset a list accepts: far past any real page, far below a 64-bit overflow
# (an unbounded offset reached the database and failed there as a 500). Deeper than this,
# narrow the query (by station, kind or time) instead of paging on.
MAX_OFFSET = 10_000_000
# Counters and versions sent by clients: inside a signed 32-bit column.
MAX_INT32 = 2**31 - 1


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows matching the filters, before paging.")
    limit: int
    offset: int
