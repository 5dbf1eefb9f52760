"""Which event kinds a credential may send: what its subject can physically produce.

A camera cannot press SOS, a loudspeaker raises no hold-up alarm, a patrol unit's tracker
sends positions (the officer's alarm rides in ``gps.position`` as ``alarm=sos``), and a
gateway speaks for one protocol, so it sends that protocol's kinds only. Without this a
leaked camera or tracker token could open P1 incidents. The tables are the rule: the intake
checks every event against them (``check``) and answers 403 naming the kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from safetyzone.core.errors import KindNotAllowed, Problem
from safetyzone.core.events import EventKind as K
from safetyzone.intake.models import Protocol, SubjectKind

STATUS = frozenset({K.DEVICE_STATUS})
# By asset kind (``assets.models.AssetKind`` values). An SOS point is also how an alarm
# panel (a bank's hold-up button over SIA DC-09) is registered, so it may send alarms.
ASSET_KINDS: dict[str, frozenset[K]] = {
    "camera_point": frozenset({K.PLATE_READ, K.DEVICE_STATUS}),
    "sos_point": frozenset({K.SOS_PRESS, K.ALARM, K.DEVICE_STATUS}),
    "smart_pole": frozenset({K.SOS_PRESS, K.DEVICE_STATUS}),
    "loudspeaker": STATUS,
    "red_box": STATUS,
    "street_light": STATUS,
    "led_sign": STATUS,
    "service_post": STATUS,
    "checkpoint": STATUS,
}
UNIT_KINDS = frozenset({K.GPS_POSITION})
# What each protocol's adapter can produce; a gateway credential is bound to its protocol.
PROTOCOL_KINDS: dict[Protocol, frozenset[K]] = {
    Protocol.SIA_DC09: frozenset({K.ALARM, K.DEVICE_STATUS}),
    Protocol.OSMAND: frozenset({K.GPS_POSITION}),
    Protocol.NMEA: frozenset({K.GPS_POSITION}),
    Protocol.LPR_HIKVISION: frozenset({K.PLATE_READ}),
    Protocol.LPR_OPENALPR: frozenset({K.PLATE_READ}),
    Protocol.LPR_GENERIC: frozenset({K.PLATE_READ}),
    Protocol.MQTT: frozenset({K.SOS_PRESS, K.DEVICE_STATUS}),
}


def allowed(subject_kind: SubjectKind, asset_kind: str | None,
            protocol: Protocol | None) -> frozenset[K]:
    """The kinds a credential for this subject may send; empty when nothing fits."""
    if subject_kind is SubjectKind.ASSET:
        return ASSET_KINDS.get(asset_kind or "", frozenset())
    if subject_kind is SubjectKind.UNIT:
        return UNIT_KINDS
    # A gateway without a protocol is bound to nothing (credentials issued before this rule).
    return PROTOCOL_KINDS.get(protocol, frozenset()) if protocol else frozenset()


def describe(subject_kind: SubjectKind, asset_kind: str | None,
             protocol: Protocol | None) -> str:
    """How an error names the sender: "asset camera_point", "gateway sia_dc09"."""
    if subject_kind is SubjectKind.ASSET:
        return f"asset {asset_kind or 'unknown'}"
    if subject_kind is SubjectKind.GATEWAY:
        return f"gateway {protocol.value if protocol else 'without a protocol'}"
    return "unit"


def check(kinds: frozenset[K], sender: str, events: Iterable[K]) -> None:
    """Refuse the whole request (403) if any event's kind is not the sender's to send."""
    refused = sorted({kind.value for kind in events if kind not in kinds})
    if refused:
        may = ", ".join(sorted(k.value for k in kinds)) or "nothing"
        raise KindNotAllowed(
            f"a credential of {sender} may not send {', '.join(repr(k) for k in refused)} "
            f"(it may send: {may})", [Problem(f"'{kind}' not allowed", "kind")
                                       for kind in refused])
