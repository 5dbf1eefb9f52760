"""A person's console layout: which cameras are on the wall, which layers show, which views
are popped out into their own windows and where those windows sit.

Kept on the server, per user, so a duty officer finds their wall on any CCOC workstation.
It is the user's own and nobody else's: no role reads another's layout, and nothing in it
decides what the user may see (the wall shows only cameras the server lets them see).
The shape is checked, not free JSON: bounded lists of ids and numbers, nothing that a page
could run or a log could not store.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field
from sqlalchemy import JSON, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, Session, mapped_column

from safetyzone.core.clock import Clock
from safetyzone.core.db import Base, UTCDateTime
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.security import Scope
from safetyzone.core.text import Inbound

View = Literal["map", "wall"]


class UserLayout(Base):
    __tablename__ = "user_layout"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    layout: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Window(Inbound):
    """Where a popped-out view's window was: screen position and size, in CSS pixels."""

    model_config = ConfigDict(extra="forbid")
    view: View
    left: int = Field(ge=-20000, le=20000)
    top: int = Field(ge=-20000, le=20000)
    width: int = Field(ge=200, le=20000)
    height: int = Field(ge=200, le=20000)


class Layout(Inbound):
    model_config = ConfigDict(extra="forbid")
    wall_cameras: list[uuid.UUID] = Field(default_factory=list, max_length=64)
    layers: dict[str, bool] = Field(default_factory=dict, max_length=64)
    windows: list[Window] = Field(default_factory=list, max_length=4)


class LayoutRead(Layout):
    updated_at: datetime | None = None


def read(session: Session, *, scope: Scope) -> LayoutRead:
    """The caller's layout, or the empty one."""
    row = session.get(UserLayout, scope.user_id)
    if row is None:
        return LayoutRead()
    return LayoutRead(**Layout.model_validate(row.layout).model_dump(), updated_at=row.updated_at)


def save(session: Session, *, scope: Scope, clock: Clock, layout: Layout) -> LayoutRead:
    """Replace the caller's layout (the last save wins: it is one person's, not shared)."""
    for name in layout.layers:
        if not 1 <= len(name) <= 32 or not name.replace("_", "").isalnum():
            raise InvalidInput(f"no layer named {name[:40]!r}", [Problem("unknown", "layers")])
    now = clock.now()
    row = session.get(UserLayout, scope.user_id)
    data = layout.model_dump(mode="json")
    if row is None:
        session.add(UserLayout(user_id=scope.user_id, layout=data, updated_at=now))
    else:
        row.layout, row.updated_at = data, now
    return LayoutRead(**layout.model_dump(), updated_at=now)
