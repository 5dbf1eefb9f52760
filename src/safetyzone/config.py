"""The one Settings object.

Built once (in the CLI or the app factory) and passed down; nothing else reads the
environment, so a test can build any configuration without touching ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """SafetyZone configuration, from ``SSZ_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="SSZ_", extra="forbid", env_nested_delimiter="__", frozen=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="Deployment kind; production refuses default secrets.",
    )
    data_dir: Path = Field(
        Path("./ssz-data"),
        description="Directory for the embedded SQLite database and local files.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL (postgresql+psycopg://...). Unset: SQLite in data_dir.",
    )
    nats_url: str | None = Field(
        None,
        description="NATS JetStream URL (nats://host:4222) for the bus; unset: in-process bus.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET),
        description="Signs access tokens and derives the key that encrypts stream secrets.",
    )
    access_token_minutes: int = Field(
        15, ge=1, le=24 * 60, description="Lifetime of an access token in minutes."
    )
    refresh_token_hours: int = Field(
        12, ge=1, le=24 * 30, description="Lifetime of a refresh token (one shift) in hours."
    )
    host: str = Field("127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server binds.")
    max_import_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest accepted bulk-import upload."
    )
    demo_password: SecretStr | None = Field(
        None, description="Password for the demo users; generated and printed when unset."
    )
    log_level: str = Field("INFO", description="Root log level.")
    sia_dc09: SiaDc09Settings | None = Field(
        None,
        description="SIA DC-09 alarm receiver (SSZ_SIA_DC09__TCP_PORT=9000 ...); unset: off.",
    )
    mqtt: MqttSettings | None = Field(
        None,
        description="MQTT bridge to the field devices' broker (SSZ_MQTT__HOST=mosquitto ...); "
        "unset: off.",
    )
    osmand_port: int | None = Field(
        None, ge=1, le=65535,
        description="Own port for OsmAnd/Traccar Client trackers (Traccar uses 5055); "
        "the protocol is always served at /api/v1/gateways/osmand too.",
    )
    nmea_port: int | None = Field(
        None, ge=1, le=65535,
        description="TCP port for NMEA $GPRMC trackers (first line $PGID,<id>*hh or <id>; "
        "Traccar uses 5005); unset: off.",
    )
    tile_url: str | None = Field(
        None,
        description="Map tile URL template for the console, e.g. "
        "'https://tiles.example/{z}/{x}/{y}.png' (a server on the station's network). "
        "Unset: a plain background that still shows zones, assets, incidents and units.",
    )

    metrics_allow: str = Field(
        "127.0.0.0/8,::1/128",
        description="Comma-separated addresses or networks that may read /metrics without a "
        "token (e.g. '127.0.0.1,10.20.0.0/24' for the Prometheus server); '' for none.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token that lets a scraper from any address read /metrics "
        "(Prometheus: authorization.credentials). Unset: addresses only.",
    )

    @field_validator("metrics_allow")
    @classmethod
    def _parse_networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as err:
                raise ValueError(f"not an address or network: {part!r}") from err
        return value

    @property
    def metrics_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """``metrics_allow`` parsed."""
        return [ipaddress.ip_network(p.strip(), strict=False)
                for p in self.metrics_allow.split(",") if p.strip()]

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key.get_secret_value() == DEV_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "SSZ_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'safetyzone.db').resolve()}"


def random_password() -> str:
    """A password that a person can type from a terminal print-out."""
    return secrets.token_urlsafe(12)
