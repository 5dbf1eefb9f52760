"""Registering a device for a patrol unit spans ops (units) and intake (credentials)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from safetyzone.core.clock import Clock
from safetyzone.core.secretbox import SecretBox
from safetyzone.core.security import Permission, Scope
from safetyzone.intake import credentials, registry
from safetyzone.intake.models import Protocol, SubjectKind
from safetyzone.intake.schemas import CredentialCreate
from safetyzone.ops import units


def register_device(
    session: Session, *, scope: Scope, clock: Clock, hasher: credentials.SecretHasher,
    secrets: SecretBox, data: CredentialCreate, key_checks: Mapping[Protocol, registry.KeyCheck],
) -> credentials.IssuedCredential:
    """Issue a credential (see ``intake.registry``), finding a unit subject in the scope."""
    unit_station_id = None
    if data.subject_kind is SubjectKind.UNIT:
        scope.require(Permission.DEVICE_MANAGE)  # before the lookup: nothing to learn
        unit_station_id = units.get_unit(session, scope=scope,
                                         unit_id=registry.required_subject(data)).station_id
    return registry.issue_credential(session, scope=scope, clock=clock, hasher=hasher,
                                     secrets=secrets, data=data, key_checks=key_checks,
                                     unit_station_id=unit_station_id)
