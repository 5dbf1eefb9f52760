"""MQTT devices for tests: the app's settings for a throwaway broker, and an asset registered
with an ``mqtt`` credential as an installer would."""

from __future__ import annotations

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.config import Settings
from support.live import Devices
from support.mosquitto import MosquittoServer
from support.world import STATIONS

A_LAT, A_LON = STATIONS["ST-A"][1], STATIONS["ST-A"][2]


def bridge_settings(settings: Settings, broker: MosquittoServer) -> Settings:
    return settings.model_copy(update={"mqtt": MqttSettings(
        host="127.0.0.1", port=broker.port, username=broker.username,
        password=broker.password, client_id="ssz-test-bridge", connect_timeout_s=5)})


def register(devices: Devices, *, kind: str, code: str, device_id: str,
             station: str = "ST-A", has_speaker: bool = False) -> str:
    """An asset of ``kind`` with an ``mqtt`` credential, as an installer registers it."""
    asset = devices.client.post("/api/v1/assets", headers=devices.admin, json={
        "station_code": station, "zone_code": f"Z-{station}", "kind": kind, "code": code,
        "name_th": f"อุปกรณ์ {code}", "name_en": f"Device {code}", "lat": A_LAT + 0.001,
        "lon": A_LON, "owner_class": "police", "has_speaker": has_speaker})
    assert asset.status_code == 201, asset.text
    credential = devices.client.post("/api/v1/devices", headers=devices.admin, json={
        "station_code": station, "subject_kind": "asset", "subject_id": asset.json()["id"],
        "label": f"MQTT {code}", "protocol": "mqtt", "external_id": device_id})
    assert credential.status_code == 201, credential.text
    asset_id: str = asset.json()["id"]
    return asset_id
