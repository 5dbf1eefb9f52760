"""LINE channels: registered and rotated by police roles, secrets sealed and never shown;
routing per station or by location; the settings that point at LINE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from safetyzone.adapters.line import sign
from safetyzone.audit.models import AuditEntry
from safetyzone.citizen.line_models import LineChannel
from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.line_env import SECRET, TOKEN, LineEnv, line_env
from support.world import World

NEW_SECRET = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def env(db: Database, settings: Settings, world: World) -> Iterator[LineEnv]:
    with line_env(db, settings, world) as built:
        yield built


def test_secrets_are_sealed_and_never_returned(env: LineEnv) -> None:
    listed = env.client.get("/api/v1/line/channels", headers=env.admin)
    assert listed.status_code == 200
    text = listed.text + str(env.channel)
    assert SECRET not in text and TOKEN not in text
    assert env.channel["webhook_path"] == "/line/webhook/ST-A"
    with env.db.read() as session:
        (row,) = session.scalars(select(LineChannel))
        assert SECRET not in row.secret_sealed and TOKEN not in row.token_sealed
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "line_channel")))
    assert actions == ["line_channel.register"]


def test_one_channel_per_station(env: LineEnv) -> None:
    again = env.client.post("/api/v1/line/channels", headers=env.admin, json={
        "station_code": "ST-A", "name": "x", "line_channel_id": "1650000002",
        "channel_secret": NEW_SECRET, "access_token": TOKEN})
    assert again.status_code == 409


@pytest.mark.parametrize(("field", "value"), [
    ("channel_secret", "short"), ("channel_secret", "has spaces in it 0123"),
    ("access_token", "tiny"), ("line_channel_id", "abc"), ("station_code", "")])
def test_bad_channel_values_are_refused(env: LineEnv, field: str, value: str) -> None:
    body = {"station_code": "ST-B", "name": "B", "line_channel_id": "1650000003",
            "channel_secret": NEW_SECRET, "access_token": TOKEN, field: value}
    answer = env.client.post("/api/v1/line/channels", headers=env.admin, json=body)
    assert answer.status_code == 422
    assert value not in answer.text or value == ""  # a refused secret is not echoed


def test_a_commander_manages_only_its_stations(env: LineEnv, world: World) -> None:
    commander = world.headers(env.client, "a.commander")
    assert len(env.client.get("/api/v1/line/channels", headers=commander).json()) == 1
    other = env.client.post("/api/v1/line/channels", headers=commander, json={
        "station_code": "ST-B", "name": "B", "line_channel_id": "1650000004",
        "channel_secret": NEW_SECRET, "access_token": TOKEN})
    assert other.status_code == 404
    operator = world.headers(env.client, "a.operator")
    assert env.client.get("/api/v1/line/channels", headers=operator).status_code == 403
    b_operator = world.headers(env.client, "b.operator")
    assert env.client.post(f"/api/v1/line/channels/{env.channel['id']}/rotate",
                           headers=b_operator,
                           json={"access_token": TOKEN}).status_code == 403


def test_rotation_keeps_the_old_secret_for_an_hour(env: LineEnv) -> None:
    rotated = env.client.post(f"/api/v1/line/channels/{env.channel['id']}/rotate",
                              headers=env.admin, json={"channel_secret": NEW_SECRET})
    assert rotated.status_code == 200
    assert rotated.json()["previous_valid_until"] is not None
    empty = env.client.post(f"/api/v1/line/channels/{env.channel['id']}/rotate",
                            headers=env.admin, json={})
    assert empty.status_code == 422
    body = env.body()
    assert env.post(raw=body, signature=sign(body, SECRET)).status_code == 200
    assert env.post(raw=body, signature=sign(body, NEW_SECRET)).status_code == 200
    env.clock.advance(timedelta(hours=1, seconds=1))
    assert env.post(raw=body, signature=sign(body, SECRET)).status_code == 401
    assert env.post(raw=body, signature=sign(body, NEW_SECRET)).status_code == 200


def test_a_new_access_token_is_used_from_then_on(env: LineEnv) -> None:
    token = "a-brand-new-channel-access-token-0123456789"
    env.standin.tokens = {token}
    env.client.post(f"/api/v1/line/channels/{env.channel['id']}/rotate", headers=env.admin,
                    json={"access_token": token})
    env.consent()
    assert env.standin.sent("/v2/bot/message/reply")[-1].token == token


def test_by_location_routing_has_one_webhook_and_one_channel(
        db: Database, settings: Settings, world: World) -> None:
    with line_env(db, settings, world, routing="by_location") as env:
        assert env.channel["webhook_path"] == "/line/webhook"
        assert env.post().status_code == 200
        assert env.post(path="/line/webhook/ST-A").status_code == 404
        second = env.client.post("/api/v1/line/channels", headers=env.admin, json={
            "station_code": "ST-B", "name": "B", "line_channel_id": "1650000005",
            "channel_secret": NEW_SECRET, "access_token": TOKEN})
        assert second.status_code == 409
        env.consent()
        env.post(env.location(13.7601, 100.5501))  # in station B's zone
        env.settle()
        ticket = env.the_item()
        assert (ticket["lat"], ticket["lon"], ticket["location_source"]) == (
            13.7601, 100.5501, "line")
        assert ticket["station_code"] == "ST-B"  # not the channel's station (ST-A)
        assert env.items("b.operator") and env.items("a.operator") == []
        env.post(env.postback("action=station"))
        env.post(env.location(13.7601, 100.5501))
        env.settle()
        assert "Unit ST-B" in env.replies()[-1]


def test_line_settings() -> None:
    settings = Settings(environment="test", secret_key="x" * 40)
    assert settings.line_api_base == "https://api.line.me"
    assert settings.line_data_api_base == "https://api-data.line.me"
    assert settings.line_routing == "per_station" and settings.line_link_base is None
    local = Settings(environment="test", secret_key="x" * 40,
                     line_api_base="http://127.0.0.1:9/", line_link_base="https://a.example")
    assert local.line_api_base == "http://127.0.0.1:9"
    for bad in ({"line_api_base": "ftp://x"}, {"line_api_base": "https://x/?q=1"},
                {"line_routing": "by_magic"}):
        with pytest.raises(ValidationError):
            Settings(environment="test", secret_key="x" * 40, **bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="https in production"):
        Settings(environment="production", secret_key="x" * 40,
                 line_api_base="http://api.line.example")


def test_line_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSZ_LINE_ROUTING", "by_location")
    monkeypatch.setenv("SSZ_LINE_API_BASE", "https://line-proxy.example")
    settings = Settings()
    assert settings.line_routing == "by_location"
    assert settings.line_api_base == "https://line-proxy.example"


def test_anonymous_and_people_without_a_signature_get_nothing(client: TestClient) -> None:
    answer = client.post("/line/webhook/ST-A", content=b'{"destination":"U1","events":[]}')
    assert answer.status_code == 404  # no channel registered: nothing to check it with
