"""Registering a device: who may, for which subject, with which protocol identity.

These rules lived in the devices route; they are the intake's, so every caller gets the
same checks. Managing credentials is admin/commander work (``Permission.DEVICE_MANAGE``),
checked before anything is looked up, so a partner or operator learns nothing from it.
A gateway speaks for no asset or unit: it must name its protocol, which binds the event
kinds it may send (``intake.kinds``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from safetyzone.assets import service as assets
from safetyzone.core.clock import Clock
from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.intake import credentials
from safetyzone.intake.directory import normalize
from safetyzone.intake.models import Protocol, SubjectKind
from safetyzone.intake.schemas import CredentialCreate
from safetyzone.org import service as org

# A protocol's own key check (the wire format knows its keys; the web layer passes them in,
# since domains do not import adapters). Raises ValueError with the reason.
KeyCheck = Callable[[str], object]


def required_subject(data: CredentialCreate) -> uuid.UUID:
    if data.subject_id is None:
        raise InvalidInput("subject_id is required for assets and units",
                           [Problem("required", "subject_id")])
    return data.subject_id


def issue_credential(
    session: Session, *, scope: Scope, clock: Clock, hasher: credentials.SecretHasher,
    secrets: SecretBox, data: CredentialCreate, key_checks: Mapping[Protocol, KeyCheck],
    unit_station_id: uuid.UUID | None = None,
) -> credentials.IssuedCredential:
    """Issue a credential for an asset, unit or gateway of a station in the caller's scope.

    ``unit_station_id`` is the station of the unit a unit credential is for, looked up by
    the caller in the caller's scope (units live in ``ops``, which the intake cannot import).
    """
    scope.require(Permission.DEVICE_MANAGE)
    station = org.get_station(session, scope=scope, code=data.station_code)
    if data.subject_kind is SubjectKind.ASSET:
        asset = assets.get_asset(session, scope=scope, asset_id=required_subject(data))
        _same_station(asset.station_id, station.id)
    elif data.subject_kind is SubjectKind.UNIT:
        required_subject(data)
        if unit_station_id is None:
            raise InvalidInput("no such unit in your scope", [Problem("unknown", "subject_id")])
        _same_station(unit_station_id, station.id)
    else:
        if data.subject_id is not None:
            raise InvalidInput("a gateway speaks for no asset or unit",
                               [Problem("not used for gateways", "subject_id")])
        if data.protocol is None:
            raise InvalidInput("a gateway credential names the protocol it speaks, which "
                               "limits what it may send; register JSON senders for their "
                               "asset or unit", [Problem("required for gateways", "protocol")])
    return credentials.issue(
        session, scope=scope, clock=clock, hasher=hasher, station_id=station.id,
        subject_kind=data.subject_kind, subject_id=data.subject_id, label=data.label,
        protocol=protocol_identity(secrets, data, key_checks))


def protocol_identity(secrets: SecretBox, data: CredentialCreate,
                      key_checks: Mapping[Protocol, KeyCheck]
                      ) -> credentials.ProtocolIdentity | None:
    """How the device names itself in its protocol, checked; ``None`` for JSON devices."""
    if data.protocol is None:
        if data.external_id or data.protocol_key:
            raise InvalidInput("external_id and protocol_key need a protocol",
                               [Problem("protocol missing", "protocol")])
        return None
    if not data.external_id:
        raise InvalidInput(f"a {data.protocol.value} device needs its external_id",
                           [Problem("required", "external_id")])
    key = data.protocol_key.get_secret_value() if data.protocol_key else None
    if data.protocol is Protocol.MQTT and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}",
                                                           data.external_id):
        raise InvalidInput("an MQTT device id is one topic level: A-Z a-z 0-9 _ . - only",
                           [Problem("not usable in a topic", "external_id")])
    if data.protocol is Protocol.SIA_DC09 and not re.fullmatch(r"[0-9A-Fa-f]{3,16}",
                                                               data.external_id):
        raise InvalidInput("a SIA account is 3 to 16 hex digits",
                           [Problem("not a SIA account", "external_id")])
    if key is not None:
        check = key_checks.get(data.protocol)
        if check is None:
            raise InvalidInput(f"{data.protocol.value} devices have no protocol key",
                               [Problem("not used", "protocol_key")])
        try:
            check(key)
        except ValueError as err:
            raise InvalidInput(f"{data.protocol.value} key not usable: {err}",
                               [Problem(str(err), "protocol_key")]) from err
    return credentials.ProtocolIdentity(
        data.protocol, normalize(data.protocol, data.external_id),
        secrets.seal(key) if key else None)


def _same_station(a: uuid.UUID, b: uuid.UUID) -> None:
    if a != b:
        raise InvalidInput("the device belongs to another station",
                           [Problem("station mismatch", "station_code")])
