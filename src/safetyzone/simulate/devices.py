"""The simulator's devices file: which devices to play, where they stand, and their tokens.

``ssz demo`` writes it into the data directory as ``simulator-devices.json`` when it issues
the demo's device credentials; ``ssz simulate --devices PATH`` reads it. It holds device
secrets (a token is shown once, only its hash is stored by the server), so it is written
with mode 0600 and nothing prints the tokens::

    {"version": 1,
     "stations": [{"station_code": "MPB-PHASI-CHAROEN", "zone_code": "PCR-KBL",
                   "province_code": "TH-10",
                   "boundary": {"type": "Polygon", "coordinates": [...]},
                   "units": [{"code": "PCR-KBL-C11", "callsign": "ภาษีเจริญ 11",
                              "kind": "car", "token": "ssz_dev_...", "lat": 13.7, "lon": 100.4}],
                   "sos_points": [{"code": "PCR-KBL-SOS01", "site_kind": "unspecified",
                                   "token": "ssz_dev_...", "lat": ..., "lon": ...}],
                   "plate_cameras": [{"code": "...", "token": "ssz_dev_...",
                                      "lat": ..., "lon": ...}],
                   "patrol_points": [{"code": "PCR-KBL-RS01", "lat": ..., "lon": ...,
                                      "radius_m": 50}]}]}

``patrol_points`` are the places of the station's patrol plan (risk spots, red boxes): now
and then a patrol unit heads for one and stops there, as a patrol following its plan does.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from safetyzone.core.errors import InvalidInput
from safetyzone.core.geo import parse_polygon, polygon_geojson, position_problem

log = logging.getLogger(__name__)

DEVICES_FILE = "simulator-devices.json"
FILE_MODE = 0o600
TOKEN_PATTERN = r"^ssz_dev_[0-9a-f]{8,32}\.[A-Za-z0-9_-]{16,128}$"  # noqa: S105 - a shape


class DevicesFileError(ValueError):
    """The devices file is missing, unreadable or not a valid devices file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Device(_Strict):
    """One device: its code (unique in its station), its token, and where it stands."""

    code: str = Field(min_length=1, max_length=64)
    token: str = Field(pattern=TOKEN_PATTERN, repr=False,
                       description="ssz_dev_<key_id>.<secret>: a secret, never logged.")
    # Range, Thailand and swapped axes are checked below, naming the mistake.
    lat: float = Field(allow_inf_nan=False)
    lon: float = Field(allow_inf_nan=False)

    @model_validator(mode="after")
    def _in_thailand(self) -> Device:
        problem = position_problem(self.lat, self.lon, "lat/lon")
        if problem:
            raise ValueError(f"device {self.code}: {problem.reason}")
        return self

    @property
    def key_id(self) -> str:
        """The public half of the token (what the server's credential list shows)."""
        return self.token.removeprefix("ssz_dev_").split(".", 1)[0]


class UnitDevice(Device):
    """A patrol unit's tracker; ``kind`` sets its speeds."""

    kind: Literal["car", "motorcycle", "foot", "volunteer"] = "car"
    callsign: str | None = Field(None, max_length=64)


class SosDevice(Device):
    """An SOS button or kiosk; ``site_kind`` 'bank' makes it also raise hold-up alarms."""

    site_kind: str | None = Field(None, max_length=32)


class PlateCamera(Device):
    """A licence-plate-reading camera point."""


class PatrolPoint(_Strict):
    """A place patrols visit (a risk spot, a red box): not a device, it sends nothing."""

    code: str = Field(min_length=1, max_length=64)
    lat: float = Field(allow_inf_nan=False)
    lon: float = Field(allow_inf_nan=False)
    radius_m: float = Field(50.0, gt=0, le=1000)

    @model_validator(mode="after")
    def _in_thailand(self) -> PatrolPoint:
        problem = position_problem(self.lat, self.lon, "lat/lon")
        if problem:
            raise ValueError(f"patrol point {self.code}: {problem.reason}")
        return self


class StationDevices(_Strict):
    station_code: str = Field(min_length=1, max_length=64)
    zone_code: str = Field(min_length=1, max_length=64)
    province_code: str | None = Field(
        None, max_length=8, description="ISO 3166-2:TH code of the station's province.")
    boundary: dict[str, Any] = Field(description="The zone's GeoJSON Polygon (lon, lat).")
    units: list[UnitDevice] = Field(default_factory=list)
    sos_points: list[SosDevice] = Field(default_factory=list)
    plate_cameras: list[PlateCamera] = Field(default_factory=list)
    patrol_points: list[PatrolPoint] = Field(default_factory=list, max_length=500)

    @field_validator("boundary")
    @classmethod
    def _polygon(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            return polygon_geojson(parse_polygon(value))
        except InvalidInput as err:
            raise ValueError(err.detail) from None

    @model_validator(mode="after")
    def _unique_codes(self) -> StationDevices:
        codes = [d.code for d in self.devices()]
        doubled = sorted({c for c in codes if codes.count(c) > 1})
        if doubled:
            raise ValueError(f"station {self.station_code}: device code {doubled[0]!r} "
                             "is used twice")
        return self

    def devices(self) -> list[Device]:
        return [*self.units, *self.sos_points, *self.plate_cameras]


class DevicesFile(_Strict):
    version: Literal[1] = 1
    stations: list[StationDevices] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> DevicesFile:
        stations = [s.station_code for s in self.stations]
        if len(set(stations)) != len(stations):
            raise ValueError("a station is listed twice")
        tokens = [d.token for s in self.stations for d in s.devices()]
        if len(set(tokens)) != len(tokens):
            raise ValueError("two devices share one token")
        return self

    @property
    def device_count(self) -> int:
        return sum(len(s.devices()) for s in self.stations)


def write_devices(path: Path, devices: DevicesFile) -> None:
    """Write atomically with mode 0600 (a reader never sees half a file, others never read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = devices.model_dump_json(indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.chmod(tmp, FILE_MODE)  # an existing temp file keeps its old mode otherwise
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _explain(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:3]:
        where = ".".join(str(p) for p in e["loc"]) or "file"
        parts.append(f"{where}: {e['msg']}")
    more = err.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def load_devices(path: Path) -> DevicesFile:
    """Read and check a devices file; DevicesFileError says what is wrong in words."""
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DevicesFileError(
            f"no devices file at {path}: 'ssz demo' writes one into its data directory"
        ) from None
    except OSError as err:
        raise DevicesFileError(f"cannot read {path}: {err.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s holds device secrets but others may read it: chmod 600 it", path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DevicesFileError(f"{path} is not a JSON devices file: {err}") from None
    if not isinstance(data, dict):
        raise DevicesFileError(f"{path} is not a devices file (expected a JSON object)")
    if data.get("version") != 1:
        raise DevicesFileError(
            f"{path}: devices file version {data.get('version')!r} is not supported (1 is)")
    try:
        return DevicesFile.model_validate(data)
    except ValidationError as err:
        raise DevicesFileError(f"{path} is not a valid devices file: {_explain(err)}") from None
