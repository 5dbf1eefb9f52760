"""The one Settings object.

Built once (in the CLI or the app factory) and passed down; nothing else reads the
environment, so a test can build any configuration without touching ``os.environ``.
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.core.outbound import DEFAULT_CAMERA_NETWORKS, IPNetwork, parse_networks
from safetyzone.core.tilefile import pmtiles_problem

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development
PREFIX = "SSZ_"
# Variables the test suite reads for itself (e.g. SSZ_TEST_PG_BINDIR); never settings.
RESERVED_PREFIX = "SSZ_TEST_"


class LogLevel(enum.StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class UnknownSetting(ValueError):
    """An ``SSZ_`` variable that names no setting: a typo must not quietly change nothing.

    ``SSZ_DATABSE_URL`` silently ignored would leave a production server on SQLite.
    """

    def __init__(self, unknown: list[tuple[str, str | None]]) -> None:
        parts = [f"{name} (did you mean {close}?)" if close else name
                 for name, close in unknown]
        super().__init__("unknown setting" + ("s" if len(parts) > 1 else "") + ": "
                         + ", ".join(parts))
        self.unknown = unknown


def _names(model: type[BaseModel], prefix: str) -> Iterable[str]:
    for name, info in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        yield variable
        nested = _nested_model(info)
        if nested is not None:
            yield from _names(nested, variable + "__")


def _nested_model(info: FieldInfo) -> type[BaseModel] | None:
    for candidate in (info.annotation, *getattr(info.annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def unknown_settings(
    model: type[BaseModel], environ: Mapping[str, str]
) -> list[tuple[str, str | None]]:
    """Every ``SSZ_`` variable in ``environ`` that no setting reads, with the closest name."""
    valid = sorted(_names(model, PREFIX))
    found = []
    for variable in sorted(environ):
        upper = variable.upper()
        if not upper.startswith(PREFIX) or upper.startswith(RESERVED_PREFIX):
            continue
        if upper not in valid:
            close = difflib.get_close_matches(upper, valid, n=1, cutoff=0.6)
            found.append((variable, close[0] if close else None))
    return found


class _RefuseUnknown(PydanticBaseSettingsSource):
    """A settings source that contributes nothing and refuses misspelt variables."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        unknown = unknown_settings(self.settings_cls, os.environ)
        if unknown:
            raise UnknownSetting(unknown)
        return {}


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
        None, description="Password for the demo users (10 to 256 characters, as for every "
        "user); generated and printed when unset."
    )

    @field_validator("demo_password")
    @classmethod
    def _demo_password_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        """Said at start, not as a traceback from the first user the demo creates."""
        if value is not None and not 10 <= len(value.get_secret_value()) <= 256:
            raise ValueError("SSZ_DEMO_PASSWORD must be 10 to 256 characters long, like "
                             "every user's password (unset: one is generated and printed)")
        return value
    log_level: LogLevel = Field(LogLevel.INFO, description="Root log level.")
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
    tiles_file: Path | None = Field(
        None,
        description="A PMTiles v3 file of vector (MVT) or raster (PNG, JPEG, WebP) tiles the "
        "app serves itself to logged-in users, so a closed network has streets without a tile "
        "server (docs/operations/offline-maps.md). When set, the console draws it instead of "
        "SSZ_TILE_URL.",
    )

    citizen_media_max_bytes: int = Field(
        8 * 1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024,
        description="Largest photo a citizen may upload (the request is refused with 413 "
        "before it is read past this).",
    )
    citizen_voice_max_bytes: int = Field(
        2 * 1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024,
        description="Largest voice note a citizen may attach to an emergency.",
    )
    footage_max_bytes: int = Field(
        2 * 1024 * 1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024 * 1024,
        description="Largest footage file a camera owner may upload for a footage request "
        "(streamed to disk under data_dir/footage; refused with 413 past this).",
    )
    citizen_emergency_per_minute: int = Field(
        20, ge=1, le=10_000,
        description="Emergency presses one client address may send per minute (then 429).",
    )
    citizen_write_per_minute: int = Field(
        60, ge=1, le=100_000,
        description="Reports, tips, messages, fixes and uploads per client address per "
        "minute (then 429).",
    )
    citizen_read_per_minute: int = Field(
        600, ge=1, le=1_000_000,
        description="Public reads (catalog, station, ticket pages) per client address per "
        "minute (then 429).",
    )

    # Retention (PDPA), counted from when the data was sent. The consent texts promise "at
    # most" 1 year (emergencies, reports, their photos and trails) and 2 years (tips), so a
    # period may be shorter, never longer (docs/citizen.md).
    citizen_retain_emergency_days: int = Field(
        365, ge=1, le=365, description="Days an emergency's personal data is kept.")
    citizen_retain_report_days: int = Field(
        365, ge=1, le=365, description="Days a report's personal data is kept.")
    citizen_retain_tip_days: int = Field(
        730, ge=1, le=730, description="Days a tip's personal data (a named tipster) is kept.")
    citizen_retain_media_days: int = Field(
        180, ge=1, le=365, description="Days citizens' photos and voice notes are kept.")
    citizen_retain_trail_days: int = Field(
        30, ge=1, le=365, description="Days the trail of a caller's phone positions is kept.")

    # Patrol (docs/patrol.md): red box 4.0 check-ins, tracks, plans.
    patrol_checkin_radius_m: float = Field(
        50.0, ge=5, le=1000,
        description="A check-in counts only when the officer's GPS fix is within this "
        "distance of the red box.")
    patrol_checkin_max_accuracy_m: float = Field(
        50.0, ge=5, le=1000,
        description="A fix less accurate than this cannot prove presence (refused, ask to "
        "wait for a better fix).")
    patrol_checkin_max_delay_s: int = Field(
        3600, ge=60, le=86_400,
        description="How long a check-in scanned in a dead spot may wait on the phone before "
        "it is sent; older scans are refused as stale.")
    patrol_checkin_repeat_min: int = Field(
        10, ge=0, le=1440,
        description="The same unit checking in at the same box again within this many "
        "minutes is refused as a repeat (a printed QR cannot prove freshness by itself).")
    patrol_totp_step_s: int = Field(
        30, ge=10, le=300, description="Step of the rotating code on a red box's screen.")
    patrol_retain_track_days: int = Field(
        90, ge=1, le=3650, description="Days units' GPS tracks are kept.")
    patrol_retain_photo_days: int = Field(
        365, ge=1, le=3650,
        description="Days a photo an officer took at an incident is kept (then its file and "
        "row go; the timeline keeps the line that one was taken).")
    patrol_presence_h3_res: int = Field(
        9, ge=7, le=11,
        description="H3 resolution of the visible-presence cells (9: about 0.1 km2 each).")
    patrol_missed_visit_min: int = Field(
        60, ge=5, le=1440,
        description="A risk spot not visited for this many minutes during its high-risk "
        "hours raises an alert (a plan target may set its own).")
    ops_shift_day_start_hour: int = Field(
        8, ge=0, le=23,
        description="The Bangkok hour at which the CCOC's duty day starts (08:00 by the "
        "police's 24-hour rota): a shift log day and the commander's daily report run from "
        "this hour to the same hour the next day; 0 makes them the calendar day.")
    reports_monthly_archive_day: int = Field(
        2, ge=0, le=28,
        description="From this day of each month (Bangkok) the server renders last month's "
        "report of every station, region and the country once, into the archive "
        "(docs/measure/reports.md); the day before is left for the month's late entries. "
        "0 turns the archive off (reports stay on demand).")

    # Station services (docs/services.md): lost-document reports and their certificates.
    services_public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address citizens reach this server at (https://... in production): "
        "a certificate's QR carries it, so a scanned certificate opens the verify page here.")
    services_lostdoc_auto_issue: bool = Field(
        True, description="A station without its own setting issues a lost-document record "
        "at once (true) or after an officer's review (false).")
    services_lostdoc_repeat_days: int = Field(
        30, ge=1, le=3650,
        description="A station without its own setting flags the same ID declaring the same "
        "document kind again within this many days to an officer.")
    services_retain_lostdocs_days: int = Field(
        1825, ge=30, le=3650,
        description="Days a lost-document report (and its certificate's verification) is "
        "kept; then it is deleted and its QR verifies as unknown.")
    # Station services (docs/services.md): home watch (ฝากบ้าน 4.0).
    services_homewatch_max_days: int = Field(
        30, ge=1, le=180,
        description="Longest time away a home-watch request may ask to be watched for.")
    services_homewatch_radius_m: float = Field(
        50.0, ge=5, le=500,
        description="An officer logs a home-watch visit only with a GPS fix within this "
        "distance of the house; it is also the house's radius in the patrol plans.")
    services_homewatch_max_accuracy_m: float = Field(
        50.0, ge=5, le=1000,
        description="A fix less accurate than this cannot prove a home-watch visit.")
    services_homewatch_visits_per_plan: int = Field(
        1, ge=1, le=12,
        description="Visits each patrol plan (one shift) asks at a watched house.")
    services_retain_homewatch_days: int = Field(
        90, ge=1, le=365,
        description="Days a home-watch request's personal data (address, pin, contacts, "
        "notes, photos, the visit notes and photos) is kept after it closed.")
    # Station services (docs/services.md): legal consultation and volunteer posts.
    services_consult_remind_hours: int = Field(
        24, ge=1, le=168,
        description="A booked consultation's citizen is reminded this many hours before it.")
    services_retain_consult_days: int = Field(
        365, ge=1, le=365,
        description="Days after the appointment a consultation request's personal data "
        "(name, phone, question) is kept (the consent text promises at most 1 year).")
    services_retain_consult_notes_days: int = Field(
        365, ge=1, le=365, description="Days a consultant's notes are kept.")
    services_retain_post_intake_days: int = Field(
        365, ge=1, le=3650,
        description="Days the log of what volunteers took at each post is kept (the reports "
        "and requests keep their own periods).")

    line_api_base: str = Field(
        "https://api.line.me",
        description="Base URL of the LINE Messaging API (push, reply, rich menus); a local "
        "stand-in in tests. https in production.",
    )
    line_data_api_base: str = Field(
        "https://api-data.line.me",
        description="Base URL of LINE's content API (photos users send, rich menu images).",
    )
    line_link_base: str | None = Field(
        None,
        description="Public address of this server, for the ticket links the LINE chat "
        "sends (https://ssz.example.go.th gives https://ssz.example.go.th/citizen/t/<code>). "
        "Unset: the chat sends the path only.",
    )
    line_routing: Literal["per_station", "by_location"] = Field(
        "per_station",
        description="per_station: each station has its own LINE Official Account, webhook "
        "/line/webhook/{station_code}; by_location: one account for all, webhook /line/webhook, "
        "a report goes to the station whose zone or area holds its location.",
    )

    camera_networks: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        parse_networks(DEFAULT_CAMERA_NETWORKS),
        description="Networks (CIDRs, comma-separated) the server may fetch camera pictures "
        "from; default the private ranges 10/8, 172.16/12, 192.168/16, 100.64/10 and "
        "fc00::/7. Link-local, metadata, multicast and reserved addresses are refused "
        "whatever this says; loopback only when listed here, and never in production.",
    )

    live_max_viewers: int = Field(
        8, ge=1, le=200,
        description="How many people may watch one camera's live stream at once (each "
        "viewing session counts until it is closed or idle for 20 s).",
    )
    recording_enabled: bool = Field(
        True,
        description="Run the recorder in this server process (one ffmpeg per camera whose "
        "recording policy records). Off on nodes of a cluster that must not record: exactly "
        "one node records a station's cameras.",
    )
    recording_segment_s: int = Field(
        10, ge=1, le=300,
        description="Length of a recorded segment file in seconds (cut on the wall clock; "
        "a camera's key-frame interval can make one longer). Shorter: finer deletions and "
        "clips that read less, more files.",
    )

    camera_probe_interval_s: int = Field(
        60, ge=0, le=3600,
        description="Each active camera with an address is checked once this often by the "
        "server's prober (online, offline, frozen, latency, picture size), the probes spread "
        "evenly over the interval; 0 turns the prober off (health then comes from snapshots "
        "people open).",
    )
    camera_probe_max_processes: int = Field(
        8, ge=1, le=64,
        description="At most this many ffmpeg processes probe RTSP cameras at once (about "
        "2 s each: 8 check some 200 RTSP cameras a minute; more cameras than that are each "
        "checked less often, never skipped).",
    )
    camera_probe_timeout_s: float = Field(
        15.0, ge=3.0, le=120.0,
        description="A camera that gives no picture within this long is offline.",
    )
    camera_down_alert_after_s: int = Field(
        300, ge=0, le=86_400,
        description="A camera covering a risk spot or an SOS point (bound to it, or within "
        "100 m) that stays offline or frozen this long raises one maintenance alert on the "
        "console, and a recovery note when it is back.",
    )
    camera_sim_faults: str = Field(
        "auto",
        description="The demo's simulated cameras (sim://) are healthy except these: 'auto' "
        "(in each station one simulated camera away from risk spots and SOS points probes "
        "offline and one frozen, marked as demo), 'none', or 'CODE=offline,CODE=frozen'.",
    )

    metrics_allow: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        parse_networks(["127.0.0.0/8", "::1/128"]),
        description="Comma-separated networks that may read /metrics without a token (e.g. "
        "'127.0.0.1/32,10.20.0.0/24' for the Prometheus server); '' for none.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token that lets a scraper from any address read /metrics "
        "(Prometheus: authorization.credentials). Unset: addresses only.",
    )

    @field_validator("camera_networks", "metrics_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            try:
                return parse_networks(value)
            except ValueError as err:
                raise ValueError(f"not an address or network: {err}") from err
        return value

    @field_validator("camera_sim_faults")
    @classmethod
    def _sim_faults(cls, value: str) -> str:
        if value.strip().lower() in {"auto", "none", ""}:
            return value.strip().lower() or "none"
        for part in value.split(","):
            code, _, state = part.strip().partition("=")
            if not code.strip() or state.strip().lower() not in {"offline", "frozen"}:
                raise ValueError("must be 'auto', 'none' or 'CODE=offline,CODE=frozen'")
        return value.strip()

    @field_validator("tiles_file")
    @classmethod
    def _readable_tiles(cls, value: Path | None) -> Path | None:
        """A missing or foreign tile file stops the start: a map without streets would only
        be noticed when an operator tries to direct a car by it."""
        if value is None:
            return None
        problem = pmtiles_problem(value)
        if problem:
            raise ValueError(f"{value}: {problem} (docs/operations/offline-maps.md)")
        return value.resolve()

    @field_validator("line_api_base", "line_data_api_base", "line_link_base")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[A-Za-z0-9.\[\]:-]+(/[A-Za-z0-9._~/-]*)?", value):
            raise ValueError("must be a base URL like https://api.line.me (no query)")
        return value.rstrip("/")

    @field_validator("services_public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\[\]:-]+(/[A-Za-z0-9._~/-]*)?", value):
            raise ValueError("must be a base URL like https://ssz.example.go.th (no query)")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_plain_http_line(self) -> Settings:
        if self.environment == "production" and not all(
                url.startswith("https://")
                for url in (self.line_api_base, self.line_data_api_base)):
            raise ValueError("SSZ_LINE_API_BASE and SSZ_LINE_DATA_API_BASE must be https in "
                             "production: the channel access token travels with each call")
        return self

    @model_validator(mode="after")
    def _refuse_loopback_cameras(self) -> Settings:
        if self.environment == "production" and any(
                net.network_address.is_loopback for net in self.camera_networks):
            raise ValueError("SSZ_CAMERA_NETWORKS must not list loopback in production: "
                             "the server would fetch its own services")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (_RefuseUnknown(settings_cls), init_settings, env_settings, dotenv_settings,
                file_secret_settings)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        """The development secret signs tokens anyone can forge: only a laptop may use it."""
        secret = self.secret_key.get_secret_value()
        if self.environment != "development" and secret == DEV_SECRET:
            raise ValueError(
                f"SSZ_SECRET_KEY must be set in the {self.environment} environment "
                "(the development secret is refused everywhere else)"
            )
        if self.environment == "production" and len(secret) < 32:
            raise ValueError(
                "SSZ_SECRET_KEY must be a random value of at least 32 characters in production"
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
