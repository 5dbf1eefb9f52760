"""What a citizen should hear reaches the notifier after the commit, and only then."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.citizen import notify
from safetyzone.citizen.models import CitizenItem, CitizenMessage
from safetyzone.core.db import Database
from support.citizen import OFFICER, item_by_code, new_key, report, send
from support.world import World


class Recorder:
    def __init__(self) -> None:
        self.heard: list[tuple[str, str, Any]] = []

    def changed(self, item: CitizenItem, what: str) -> None:
        self.heard.append(("changed", item.code, what))

    def message(self, item: CitizenItem, message: CitizenMessage) -> None:
        self.heard.append(("message", item.code, message.text))

    def service(self, notice: notify.ServiceNotice) -> None:
        self.heard.append(("service", notice.code, notice.what))


def test_officer_acts_reach_the_notifier_after_commit(client: TestClient, world: World) -> None:
    recorder = Recorder()
    client.app.state.ctx.notices.notifier = recorder  # type: ignore[attr-defined]
    code = send(client, "/reports", report(new_key()))["code"]
    headers = world.headers(client, "a.operator")
    row = item_by_code(client, headers, code)
    assert recorder.heard == []  # the citizen knows they sent it
    client.post(f"{OFFICER}/items/{row['id']}/messages", headers=headers,
                json={"text": "ขอรูปเพิ่ม", "ask_info": True})
    client.post(f"{OFFICER}/items/{row['id']}/close", headers=headers,
                json={"disposition": "resolved"})
    assert recorder.heard == [("message", code, "ขอรูปเพิ่ม"),
                              ("changed", code, "info_requested"),
                              ("changed", code, "closed")]
    # A refused act (closing twice) tells nobody anything.
    assert client.post(f"{OFFICER}/items/{row['id']}/close", headers=headers,
                       json={"disposition": "resolved"}).status_code == 409
    assert len(recorder.heard) == 3


def test_a_rolled_back_change_is_never_told(db: Database, world: World) -> None:
    recorder = Recorder()
    db.after_commit.append(notify.NoticeDispatcher(recorder).after_commit)
    item = CitizenItem(code="R-TESTTEST")
    with pytest.raises(RuntimeError), db.write() as session:
        notify.changed(session, item, "status")
        raise RuntimeError("the transaction fails")
    assert recorder.heard == []
    with db.write() as session:
        notify.changed(session, item, "status")
    assert recorder.heard == [("changed", "R-TESTTEST", "status")]
