"""A station service's notice through the LINE notifier: pushed (Thai, then English, then the
link) when its code was opened from LINE; a code the chat never saw pushes nothing and
raises nothing (the app's page shows the notice)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safetyzone.citizen.notify import ServiceNotice
from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import LineEnv, line_env
from support.world import World


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def test_a_service_notice_reaches_the_line_user_of_its_code(env: LineEnv) -> None:
    env.consent()
    env.post(env.text("ขอปรึกษาเรื่องถูกโกงออนไลน์"))
    env.settle()
    code = env.the_item()["code"]
    before = len(env.pushes())
    env.gateway.notifier.service(ServiceNotice(
        code=code, what="reminder", th="เตือนความจำ: นัดปรึกษาข้อกฎหมาย",
        en="Reminder: legal consultation"))
    env.settle()
    pushed = env.pushes()[before:]
    assert len(pushed) == 1
    assert pushed[0].startswith("เตือนความจำ: นัดปรึกษาข้อกฎหมาย\nReminder: legal consultation")
    assert code in pushed[0]  # the link to the citizen's page


def test_a_code_the_chat_never_saw_pushes_nothing(env: LineEnv) -> None:
    before = len(env.pushes())
    env.gateway.notifier.service(ServiceNotice(code="C-7K3M9QXP", what="confirmed",
                                               th="ยืนยันนัด", en="Booked"))
    env.settle()
    assert len(env.pushes()) == before
