"""LINE's way into lost-document reports: the words or the postback answer with the link to
the public app's form for the channel's station, and keep nothing of the chat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import LineEnv, fingerprint, line_env
from support.world import World

FORM = "https://ssz.example.go.th/citizen?station=ST-A#lostdoc"


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def test_the_words_answer_with_the_form_and_keep_nothing(env: LineEnv) -> None:
    before = fingerprint(env.db)
    for words in ("แจ้งเอกสารหาย", " เอกสาร หาย ", "Lost document"):
        env.post(env.text(words))
        assert env.replies()[-1].endswith(FORM), words
        assert "แจ้งเอกสารหายออนไลน์" in env.replies()[-1]
    env.post(env.postback("action=lostdoc"))
    assert env.replies()[-1].endswith(FORM)
    assert fingerprint(env.db) == before  # no consent asked: nothing of theirs is kept


def test_other_words_still_make_a_report(env: LineEnv) -> None:
    env.consent()
    env.post(env.text("เอกสารหายที่ตลาด ช่วยด้วย"))
    env.settle()
    assert env.item_count() == 1
