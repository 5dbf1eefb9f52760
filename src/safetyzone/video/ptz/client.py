"""The ONVIF PTZ client: onvif-zeep-async (its WSDLs ship inside the package, so it works
offline) behind the server's outbound policy.

Every operation resolves the camera's host and checks it with ``core.outbound`` right before
connecting, then talks to that checked IP only: the XAddrs a camera advertises (its media
and PTZ service addresses) keep their paths but are rewritten to the checked IP and port,
so a camera cannot send the server to another host. Library errors are mapped here, at the
one boundary that uses the library, to :class:`PtzUnavailable`; its ``detail`` is for
admins (the route answers everyone else one uniform sentence).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.outbound import AddressRefused, OutboundPolicy, Resolver

log = logging.getLogger(__name__)
TIMEOUT_S = 6.0
MOVE_TIMEOUT = "PT1S"  # a continuous move stops by itself unless the operator holds on


class PtzUnavailable(SafetyZoneError):
    """The camera could not be moved or asked (refused address, timeout, SOAP fault)."""

    def __init__(self, detail: str, code: str = "ptz-unavailable") -> None:
        super().__init__(detail=detail, code=code)


@dataclass(frozen=True)
class OnvifAddress:
    """Where the camera's ONVIF device service is, and its credentials (server side only)."""

    url: str  # http(s)://host[:port]; the device service is /onvif/device_service
    username: str | None
    password: str | None


@dataclass(frozen=True)
class DevicePreset:
    token: str
    name: str
    pan: float | None  # normalised -1..1, when the device says


@dataclass(frozen=True)
class DeviceStatus:
    pan: float | None
    tilt: float | None
    zoom: float | None
    moving: bool


class PtzClient(Protocol):
    async def presets(self, address: OnvifAddress, profile: str | None
                      ) -> tuple[str, list[DevicePreset]]: ...
    async def goto_preset(self, address: OnvifAddress, profile: str | None, token: str
                          ) -> str: ...
    async def set_preset(self, address: OnvifAddress, profile: str | None, name: str
                         ) -> tuple[str, str]: ...
    async def move(self, address: OnvifAddress, profile: str | None, pan: float, tilt: float,
                   zoom: float) -> str: ...
    async def stop(self, address: OnvifAddress, profile: str | None) -> str: ...
    async def status(self, address: OnvifAddress, profile: str | None
                     ) -> tuple[str, DeviceStatus]: ...


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class OnvifPtzClient:
    """The real client. ``resolve`` is the system resolver unless a test gives its own."""

    def __init__(self, policy: OutboundPolicy, resolve: Resolver | None = None,
                 timeout_s: float = TIMEOUT_S) -> None:
        self._policy = policy
        self._resolve = resolve
        self._timeout = timeout_s

    @asynccontextmanager
    async def _services(self, address: OnvifAddress, profile: str | None
                        ) -> AsyncIterator[tuple[Any, str]]:
        """The PTZ service of the camera at its checked IP, and the profile token to use."""
        from onvif import ONVIFCamera
        from onvif.exceptions import ONVIFError
        from zeep.exceptions import Error as ZeepError

        parts = urlsplit(address.url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username:
            raise PtzUnavailable("the ONVIF address must be http(s)://host[:port]",
                                 "ptz-address-refused")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        camera = None
        try:
            async with asyncio.timeout(self._timeout):
                ip = await self._policy.pin(parts.hostname, port, self._resolve)
                host = f"[{ip}]" if ip.version == 6 else str(ip)
                base = host if parts.scheme == "http" else f"https://{host}"
                camera = ONVIFCamera(base, port, address.username, address.password,
                                     no_cache=True)
                await camera.update_xaddrs()
                # Keep the advertised paths, never the advertised hosts.
                camera.xaddrs = {ns: urlunsplit((parts.scheme, f"{host}:{port}",
                                                 urlsplit(x).path, "", ""))
                                 for ns, x in camera.xaddrs.items() if x}
                if profile is None:
                    media = await camera.create_media_service()
                    profiles = await media.GetProfiles()
                    with_ptz = [p for p in profiles or [] if getattr(p, "PTZConfiguration", None)]
                    if not with_ptz:
                        raise PtzUnavailable("the camera has no profile with PTZ", "ptz-none")
                    profile = str(with_ptz[0].token)
                ptz = await camera.create_ptz_service()
                yield ptz, profile
        except AddressRefused as err:
            raise PtzUnavailable(err.detail, "ptz-address-refused") from err
        except TimeoutError as err:
            raise PtzUnavailable(f"no answer within {self._timeout:g} s", "ptz-timeout") from err
        except (ONVIFError, ZeepError, OSError, ValueError) as err:
            log.info("PTZ call failed: %s", type(err).__name__)
            raise PtzUnavailable(f"the camera refused or failed ({type(err).__name__}: "
                                 f"{str(err)[:200]})") from err
        finally:
            if camera is not None:
                await camera.close()

    async def presets(self, address: OnvifAddress, profile: str | None
                      ) -> tuple[str, list[DevicePreset]]:
        async with self._services(address, profile) as (ptz, token):
            answer = await ptz.GetPresets({"ProfileToken": token})
        out = []
        for p in answer or []:
            position = getattr(p, "PTZPosition", None)
            pan_tilt = getattr(position, "PanTilt", None) if position is not None else None
            out.append(DevicePreset(token=str(p.token), name=str(p.Name or p.token),
                                    pan=_float(getattr(pan_tilt, "x", None))))
        return token, out

    async def goto_preset(self, address: OnvifAddress, profile: str | None, token: str) -> str:
        async with self._services(address, profile) as (ptz, used):
            await ptz.GotoPreset({"ProfileToken": used, "PresetToken": token})
        return used

    async def set_preset(self, address: OnvifAddress, profile: str | None, name: str
                         ) -> tuple[str, str]:
        async with self._services(address, profile) as (ptz, used):
            token = await ptz.SetPreset({"ProfileToken": used, "PresetName": name})
        return used, str(token)

    async def move(self, address: OnvifAddress, profile: str | None, pan: float, tilt: float,
                   zoom: float) -> str:
        async with self._services(address, profile) as (ptz, used):
            await ptz.ContinuousMove({"ProfileToken": used,
                                      "Velocity": {"PanTilt": {"x": pan, "y": tilt},
                                                   "Zoom": {"x": zoom}},
                                      "Timeout": MOVE_TIMEOUT})
        return used

    async def stop(self, address: OnvifAddress, profile: str | None) -> str:
        async with self._services(address, profile) as (ptz, used):
            await ptz.Stop({"ProfileToken": used, "PanTilt": True, "Zoom": True})
        return used

    async def status(self, address: OnvifAddress, profile: str | None
                     ) -> tuple[str, DeviceStatus]:
        async with self._services(address, profile) as (ptz, used):
            answer = await ptz.GetStatus({"ProfileToken": used})
        position = getattr(answer, "Position", None)
        pan_tilt = getattr(position, "PanTilt", None)
        zoom = getattr(position, "Zoom", None)
        move = getattr(answer, "MoveStatus", None)
        moving = str(getattr(move, "PanTilt", "IDLE") or "IDLE").upper() == "MOVING"
        return used, DeviceStatus(pan=_float(getattr(pan_tilt, "x", None)),
                                  tilt=_float(getattr(pan_tilt, "y", None)),
                                  zoom=_float(getattr(zoom, "x", None)), moving=moving)
