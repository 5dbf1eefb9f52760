"""Translate a decoded ``Message`` into typed Events: alarms, and heartbeats for link tests.

SIA DC-03 event data (token ``SIA-DCS``), one or more events after an optional ``N``::

    element     pattern                 meaning
    ti          tiHH:MM                 panel time (kept in text only)
    id          id + digits             user number, for the events that follow
    ri          ri + digits             partition (area), for the events that follow
    pi          pi + digits             peripheral number (kept in text only)
    event       two letters + digits    code and address (zone or user, see codes.py)
    text        ^...^                   after any element: its name as the panel knows it
    separator   /                       between elements, optional

Contact ID (token ``ADM-CID``): ``QEEE GG CCC`` (qualifier, event, partition, zone or user).
``NULL`` is the link test: a heartbeat. Extended data ``[X...]`` / ``[Y...]`` give longitude
and latitude, as decimal degrees (``-73.9857``) or degrees, hemisphere and decimal minutes
(``073W59.14``); other extended data is kept as text.

A plain message with ``clock_wrong`` (see decoder.py) takes ``received_at`` as its event time;
the panel's claimed time goes into the event text.

``device_event_id`` = ``account:seq:stamp:digest:index``. ``stamp`` is the message timestamp,
or for a message without one the receive time to 10 minutes; ``digest`` is the CRC of the
token, data and extended data (not the pad, which changes on every encryption). A retry of
the same message therefore maps to the same ids, and a new message reusing a sequence
number after the 9999 wrap does not. A panel that re-stamps a retry produces a second copy,
never a lost event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from safetyzone.adapters.sia_dc09.codes import (
    CID_CODES,
    CID_QUALIFIERS,
    HEARTBEAT,
    SIA_CODES,
    Outcome,
    Unit,
)
from safetyzone.adapters.sia_dc09.crc import crc16_hex
from safetyzone.adapters.sia_dc09.errors import MessageNotUnderstood
from safetyzone.adapters.sia_dc09.message import Message, XData
from safetyzone.core.events import (
    AlarmCategory,
    AlarmIn,
    AlarmPayload,
    DeviceState,
    EventIn,
    EventKind,
    Location,
    StatusIn,
    StatusPayload,
)

_SIA_ELEMENT = re.compile(
    r"(?:ti(?P<ti>[0-9]{2}:[0-9]{2})|(?P<mod>id|ri|pi)(?P<mval>[0-9]{1,6})"
    r"|(?P<code>[A-Z]{2})(?P<addr>[0-9]{0,6}))(?:\^(?P<text>[^^]*)\^)?/?"
)
_CID = re.compile(
    r"(?P<q>[0-9])(?P<eee>[0-9]{3}) ?(?P<gg>[0-9A-Fa-f]{2}) ?(?P<ccc>[0-9A-Fa-f]{3})"
)
_DEGREES = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,10})?")
_DEG_MIN = re.compile(r"(?P<deg>[0-9]{1,3})(?P<hemi>[NSEW])(?P<min>[0-9]{1,2}(?:\.[0-9]{1,10})?)")
_XDATA_NAMES = {
    "A": "auth", "H": "time", "I": "text", "L": "location", "M": "MAC", "N": "net",
    "O": "building", "R": "room", "S": "site", "T": "trigger", "V": "verification",
    "X": "longitude", "Y": "latitude", "Z": "altitude",
}
_SECRET_XDATA = frozenset("KP")  # key exchange, programming: never copied into events
_TEXT_MAX = 500
_PROTOCOL_MAX = 32


@dataclass(frozen=True)
class _Found:
    """One event read from the data, before it becomes an Event."""

    code: str
    outcome: Outcome
    description: str
    unit: Unit
    address: str | None
    partition: str | None
    notes: tuple[str, ...]


def to_events(message: Message, *, received_at: datetime) -> list[EventIn]:
    """Return the Events of ``message``; raise ``MessageNotUnderstood`` (DUH) if it has none."""
    token = message.header.token
    reader = _READERS.get(token)
    if reader is None:
        raise MessageNotUnderstood(f"unknown token {token}", header=message.reply_header)
    found = reader(message)
    location, extra = _xdata(message.xdata)
    event_time = message.timestamp or received_at
    if message.clock_wrong and message.timestamp is not None:
        event_time = received_at
        extra.append(f"panel clock wrong: it sent {message.timestamp:%Y-%m-%d %H:%M:%S} UTC, "
                     "receiver time used")
    stamp = (
        f"{message.timestamp:%Y%m%dT%H%M%S}" if message.timestamp
        else f"r{received_at:%Y%m%dT%H}{received_at.minute // 10}"
    )
    digest = crc16_hex(
        "|".join((token, message.data, *(x.ident + x.value for x in message.xdata))).encode(
            "latin-1", "replace"
        )
    )
    events: list[EventIn] = []
    for index, event in enumerate(found):
        event_id = f"{message.account}:{message.header.seq}:{stamp}:{digest}:{index}"
        notes = "; ".join((event.description, *event.notes, *extra))
        try:
            events.append(_event(message, event, event_id, event_time, location, notes))
        except ValidationError as err:  # a field past the Event schema's limits
            raise MessageNotUnderstood(f"event does not fit the Event schema: {err}",
                                       header=message.reply_header) from err
    return events


def _event(message: Message, event: _Found, event_id: str, event_time: datetime,
           location: Location | None, notes: str) -> EventIn:
    token = message.header.token
    if not isinstance(event.outcome, AlarmCategory):
        return StatusIn(
            kind=EventKind.DEVICE_STATUS, device_event_id=event_id, event_time=event_time,
            location=location,
            payload=StatusPayload(state=DeviceState.HEARTBEAT, detail=_clip(f"{token} {notes}")),
        )
    return AlarmIn(
        kind=EventKind.ALARM, device_event_id=event_id, event_time=event_time,
        location=location,
        payload=AlarmPayload(
            category=event.outcome, code=event.code, protocol=token[:_PROTOCOL_MAX],
            account=message.account, partition=event.partition,
            zone=event.address if event.unit == "zone" else None, text=_clip(notes),
        ),
    )


def _null_events(message: Message) -> list[_Found]:
    return [_Found("NULL", HEARTBEAT, "Link test", "none", None, None, ())]


def _sia_events(message: Message) -> list[_Found]:
    data = message.data
    elements = _sia_elements(data[1:]) if data.startswith("N") else None
    if elements is None:
        elements = _sia_elements(data)
    if not elements:
        raise MessageNotUnderstood("no SIA event in the data", header=message.reply_header)
    found: list[_Found] = []
    partition: str | None = None
    modifiers: dict[str, str] = {}
    for element in elements:
        text = _readable(element["text"]) if element["text"] is not None else None
        if element["ti"] is not None:
            modifiers["ti"] = f"panel time {element['ti']}"
        elif element["mod"] == "ri":
            partition = element["mval"]
            modifiers["ri"] = f"area {text}" if text else ""
        elif element["mod"] is not None:
            label = "user" if element["mod"] == "id" else "peripheral"
            modifiers[element["mod"]] = f"{label} {element['mval']}" + (f" {text}" if text else "")
        else:
            code = SIA_CODES.get(element["code"])
            if code is None:
                raise MessageNotUnderstood(
                    f"unknown SIA code {element['code']}", header=message.reply_header
                )
            address = element["addr"] or None
            notes = [note for note in modifiers.values() if note]
            if code.unit != "zone" and address:
                notes.insert(0, f"{'user' if code.unit == 'user' else 'address'} {address}")
            if text:
                notes.append(text)
            found.append(_Found(code.code, code.outcome, code.description, code.unit,
                                address, partition, tuple(notes)))
    if not found:
        raise MessageNotUnderstood("SIA data has modifiers but no event",
                                   header=message.reply_header)
    return found


def _sia_elements(data: str) -> list[re.Match[str]] | None:
    elements = []
    position = 0
    while position < len(data):
        element = _SIA_ELEMENT.match(data, position)
        if element is None or element.end() == position:
            return None
        elements.append(element)
        position = element.end()
    return elements


def _cid_events(message: Message) -> list[_Found]:
    cid = _CID.fullmatch(message.data)
    if cid is None or cid["q"] not in CID_QUALIFIERS:
        raise MessageNotUnderstood("Contact ID data is not QEEE GG CCC",
                                   header=message.reply_header)
    code = CID_CODES.get(cid["eee"])
    if code is None:
        raise MessageNotUnderstood(f"unknown Contact ID event {cid['eee']}",
                                   header=message.reply_header)
    outcome = code.restore if cid["q"] == "3" else code.new
    unit_note = (f"user {cid['ccc']}",) if code.unit == "user" else ()
    return [_Found(code.code, outcome, code.description, code.unit, cid["ccc"], cid["gg"],
                   (CID_QUALIFIERS[cid["q"]], *unit_note))]


_READERS: dict[str, Callable[[Message], list[_Found]]] = {
    "NULL": _null_events,
    "SIA-DCS": _sia_events,
    "ADM-CID": _cid_events,
}
"""Token -> reader of its event data. A token not here is answered with DUH."""


def _xdata(blocks: tuple[XData, ...]) -> tuple[Location | None, list[str]]:
    lon = lat = None
    text: list[str] = []
    for block in blocks:
        if block.ident == "X" and lon is None:
            lon = _coordinate(block.value, "EW", 180.0)
            if lon is not None:
                continue
        if block.ident == "Y" and lat is None:
            lat = _coordinate(block.value, "NS", 90.0)
            if lat is not None:
                continue
        if block.ident not in _SECRET_XDATA:
            name = _XDATA_NAMES.get(block.ident, block.ident)
            text.append(f"{name}={_readable(block.value)}")
    location = Location(lat=lat, lon=lon) if lat is not None and lon is not None else None
    return location, text


def _coordinate(value: str, hemispheres: str, limit: float) -> float | None:
    if _DEGREES.fullmatch(value):
        degrees = float(value)
    else:
        parts = _DEG_MIN.fullmatch(value)
        if parts is None or parts["hemi"] not in hemispheres or float(parts["min"]) >= 60:
            return None
        degrees = int(parts["deg"]) + float(parts["min"]) / 60
        if parts["hemi"] in "SW":
            degrees = -degrees
    return degrees if -limit <= degrees <= limit else None


def _readable(text: str) -> str:
    """Undo the Latin-1 reading of the body: UTF-8 if it is, else Windows-1252."""
    raw = text.encode("latin-1", "replace")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("cp1252", "replace")
    return "".join(c if c.isprintable() else "?" for c in decoded)


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"
