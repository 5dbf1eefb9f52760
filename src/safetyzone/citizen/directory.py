"""How the public reaches a station: its contact card and service posts (kept by admins and
the demo loader; read by ``routing.locate``)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen.models import PostKind, ServicePost, StationContact
from safetyzone.core.clock import Clock
from safetyzone.core.errors import Conflict, NotFound, Problem
from safetyzone.core.geo import check_position
from safetyzone.core.security import Permission, Scope

POLICE_HOTLINE = "191"  # the national police emergency number, right for every station


def set_contact(session: Session, *, scope: Scope, clock: Clock, station_id: uuid.UUID,
                phone: str | None, line_url: str | None = None,
                line_oa_id: str | None = None, synthetic: bool = False) -> StationContact:
    scope.require(Permission.ORG_WRITE)
    if not scope.sees_station(station_id):
        raise NotFound("no such station in your scope")
    contact = session.get(StationContact, station_id) or StationContact(station_id=station_id)
    contact.phone, contact.line_url, contact.line_oa_id = phone, line_url, line_oa_id
    contact.synthetic = synthetic
    session.add(contact)
    audit.record(session, actor=scope, at=clock.now(), action="station.contact",
                 entity="org_unit", entity_id=station_id, station_id=station_id,
                 detail={"synthetic": synthetic})
    return contact


def has_contact(session: Session, *, station_id: uuid.UUID) -> bool:
    return session.get(StationContact, station_id) is not None


def ensure_post(session: Session, *, scope: Scope, station_id: uuid.UUID, kind: PostKind,
                name_th: str, name_en: str, lat: float, lon: float, hours_th: str,
                hours_en: str, synthetic: bool = False) -> ServicePost:
    """A service post by its Thai name at the station: added once, then left alone."""
    scope.require(Permission.ORG_WRITE)
    check_position(lat, lon, "post")
    found = session.scalar(select(ServicePost).where(ServicePost.station_id == station_id,
                                                     ServicePost.name_th == name_th))
    if found is not None:
        return found
    post = ServicePost(station_id=station_id, kind=kind, name_th=name_th, name_en=name_en,
                       lat=lat, lon=lon, hours_th=hours_th, hours_en=hours_en,
                       synthetic=synthetic)
    session.add(post)
    return post


def add_post(session: Session, *, station_id: uuid.UUID, kind: PostKind, name_th: str,
             name_en: str, lat: float, lon: float, hours_th: str, hours_en: str
             ) -> ServicePost:
    """A new post at the station (``services.posts`` checks the caller's POST_MANAGE and
    scope, and audits). Two posts of a station never share a Thai name."""
    check_position(lat, lon, "lat")
    if session.scalar(select(ServicePost.id).where(ServicePost.station_id == station_id,
                                                   ServicePost.name_th == name_th)):
        raise Conflict("this station already has a post of that name",
                       [Problem("duplicate name", "name_th")])
    post = ServicePost(station_id=station_id, kind=kind, name_th=name_th, name_en=name_en,
                       lat=lat, lon=lon, hours_th=hours_th, hours_en=hours_en)
    session.add(post)
    session.flush()
    return post


def get_post(session: Session, *, post_id: uuid.UUID) -> ServicePost | None:
    return session.get(ServicePost, post_id)


def station_posts(session: Session, *, station_id: uuid.UUID,
                  kind: PostKind | None = None) -> list[ServicePost]:
    query = select(ServicePost).where(ServicePost.station_id == station_id)
    if kind is not None:
        query = query.where(ServicePost.kind == kind)
    return list(session.scalars(query.order_by(ServicePost.name_th)))


def posts_in(session: Session, *, station_ids: frozenset[uuid.UUID] | None
             ) -> list[ServicePost]:
    """Posts of these stations (``None``: every station), in one query."""
    query = select(ServicePost)
    if station_ids is not None:
        query = query.where(ServicePost.station_id.in_(station_ids))
    return list(session.scalars(query.order_by(ServicePost.station_id, ServicePost.name_th)))


def set_post_hours_text(post: ServicePost, *, hours_th: str, hours_en: str) -> None:
    """The hours the public station card shows (written from the post's weekly hours)."""
    post.hours_th, post.hours_en = hours_th[:200], hours_en[:200]


def station_phone(session: Session, *, station_id: uuid.UUID) -> str | None:
    contact = session.get(StationContact, station_id)
    return contact.phone if contact else None
