"""The collaborators the app is built with, kept on ``app.state`` for dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from safetyzone.citizen.guard import PublicGuard, rates
from safetyzone.citizen.media import MediaStore
from safetyzone.citizen.notify import NoopNotifier, NoticeDispatcher, Notifier
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
    media: MediaStore
    # Officers' photos at incidents (the phone app): apart from citizens' media, since
    # citizens' retention and erasure rules must never reach police evidence.
    officer_media: MediaStore
    public_guard: PublicGuard
    # What citizens hear about their items after each commit (LINE pushes replace the no-op).
    notices: NoticeDispatcher

    @property
    def notifier(self) -> Notifier:
        return self.notices.notifier

    @classmethod
    def build(cls, settings: Settings, db: Database, clock: Clock,
              notifier: Notifier | None = None) -> AppContext:
        key = settings.secret_key.get_secret_value()
        tokens = TokenConfig(
            secret=key,
            access_ttl=timedelta(minutes=settings.access_token_minutes),
            refresh_ttl=timedelta(hours=settings.refresh_token_hours),
        )
        return cls(
            settings=settings, db=db, clock=clock, secrets=SecretBox(key), tokens=tokens,
            login=LoginGuard(db, clock, tokens), tickets=TicketDesk(clock),
            media=MediaStore(settings.data_dir / "citizen-media",
                             max_photo_bytes=settings.citizen_media_max_bytes,
                             max_voice_bytes=settings.citizen_voice_max_bytes),
            officer_media=MediaStore(settings.data_dir / "patrol-media",
                                     max_photo_bytes=settings.citizen_media_max_bytes),
            public_guard=PublicGuard(rates(
                emergency_per_min=settings.citizen_emergency_per_minute,
                write_per_min=settings.citizen_write_per_minute,
                read_per_min=settings.citizen_read_per_minute)),
            notices=NoticeDispatcher(notifier or NoopNotifier()),
        )
