"""The collaborators the app is built with, kept on ``app.state`` for dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from safetyzone.config import Settings
from safetyzone.core.clock import Clock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.org.login import LoginGuard
from safetyzone.org.tickets import TicketDesk
from safetyzone.org.tokens import TokenConfig


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    secrets: SecretBox
    tokens: TokenConfig
    login: LoginGuard
    tickets: TicketDesk

    @classmethod
    def build(cls, settings: Settings, db: Database, clock: Clock) -> AppContext:
        key = settings.secret_key.get_secret_value()
        tokens = TokenConfig(
            secret=key,
            access_ttl=timedelta(minutes=settings.access_token_minutes),
            refresh_ttl=timedelta(hours=settings.refresh_token_hours),
        )
        return cls(
            settings=settings, db=db, clock=clock, secrets=SecretBox(key), tokens=tokens,
            login=LoginGuard(db, clock, tokens), tickets=TicketDesk(clock),
        )
