"""A citizen's own data (PDPA): see everything stored about a ticket, and delete it.

Deleting removes what identifies or follows the person: contact, LINE user, their own
words (description and messages), photos and voice notes, the trail of their phone's
positions, and for an emergency the caller's position. What stays is the police record:
the ticket's code, kind, category, station, states and the officers' answers. The incident
an emergency opened loses the caller's message and the trail of their phone
(``ops.emergencies.forget_caller``) and keeps where it happened and what the police did.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safetyzone.audit import service as audit
from safetyzone.citizen import records
from safetyzone.citizen.line_models import LineJob, LineTicket
from safetyzone.citizen.models import (
    CitizenFix,
    CitizenItem,
    CitizenMedia,
    CitizenMessage,
    Direction,
)
from safetyzone.citizen.schemas import MediaRead, MyData, MyDataDeleted, PublicMessage
from safetyzone.citizen.taxonomy import ItemKind
from safetyzone.core.clock import Clock
from safetyzone.core.secretbox import SecretBox
from safetyzone.ops import emergencies

DELETED = records.WITHDRAWN


def my_data(session: Session, *, box: SecretBox, code: str, caller_key: str | None,
            line_user: str | None = None) -> MyData:
    item = records.owned(session, code=code, caller_key=caller_key, line_user=line_user)
    fixes = session.scalar(select(func.count(CitizenFix.id)).where(
        CitizenFix.item_id == item.id)) or 0
    return MyData(
        code=item.code, kind=item.kind, channel=item.channel, category=item.category,
        description=item.description, lat=item.lat, lon=item.lon,
        contact=records.open_contact(box, item.contact_sealed), anonymous=item.anonymous,
        consent=dict(item.consent or {}),
        media=[MediaRead(id=m.id, kind=m.kind, content_type=m.content_type)
               for m in records.media(session, item)],
        messages=[PublicMessage(at=m.at, text=m.text, ask_info=m.ask_info,
                                direction=m.direction)
                  for m in records.messages(session, item)],
        fixes=int(fixes), created_at=item.created_at, retain_until=item.retain_until,
        personal_data_deleted=DELETED in (item.consent or {}))


def delete_my_data(session: Session, *, clock: Clock, code: str, caller_key: str | None,
                   line_user: str | None = None) -> tuple[MyDataDeleted, list[str]]:
    """Erase the caller's personal data from the ticket; the files to remove after commit
    (``MediaStore.delete`` takes a photo's thumbnail with it)."""
    item = records.owned(session, code=code, caller_key=caller_key, line_user=line_user)
    files = erase(session, item, now=clock.now(), action="citizen.delete_my_data",
                  username="citizen")
    return MyDataDeleted(code=item.code, deleted=True), files


def erase(session: Session, item: CitizenItem, *, now: datetime, action: str,
          username: str) -> list[str]:
    """Remove what identifies or follows the person from ``item`` (see the module's note),
    audited as ``action``; answers the files no other ticket uses, to delete after commit."""
    files = [row.path for row in records.media(session, item)]
    session.execute(delete(CitizenMedia).where(CitizenMedia.item_id == item.id))
    session.execute(delete(CitizenFix).where(CitizenFix.item_id == item.id))
    session.execute(delete(CitizenMessage).where(
        CitizenMessage.item_id == item.id, CitizenMessage.direction == Direction.FROM_CITIZEN))
    item.contact_sealed = item.line_user_sealed = item.line_user_hash = None
    # The chat's list of the user's tickets and what waits to be pushed to them: no more
    # news of this ticket reaches that LINE user.
    session.execute(delete(LineTicket).where(LineTicket.code == item.code))
    session.execute(delete(LineJob).where(LineJob.item_code == item.code))
    item.description = ""
    if item.kind is ItemKind.EMERGENCY:
        item.lat = item.lon = item.accuracy_m = None
    if item.incident_id is not None:  # the message and trail copied onto the incident
        emergencies.forget_caller(session, incident_id=item.incident_id, now=now)
    item.consent = {**(item.consent or {}), DELETED: now.isoformat()}
    records.touch(item, now)
    files = unused(session, files)
    audit.record(session, actor=None, username=username, at=now, action=action,
                 entity="citizen_item", entity_id=item.id, station_id=item.station_id,
                 detail={"code": item.code, "files": len(files)})
    records.publish(session, item, now, "citizen.updated")
    return files


def unused(session: Session, files: list[str]) -> list[str]:
    """Identical uploads share one file: of ``files``, those no media row still shows."""
    session.flush()
    used = set(session.scalars(select(CitizenMedia.path).where(CitizenMedia.path.in_(files))))
    return [p for p in dict.fromkeys(files) if p not in used]
