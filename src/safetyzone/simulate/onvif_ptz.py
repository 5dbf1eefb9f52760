"""A simulated ONVIF PTZ camera: a small SOAP 1.2 server for tests and the demo.

Debian ships no ONVIF camera software, so the PTZ client (``video/ptz``) is tested against
this device over loopback HTTP. It answers the real ONVIF operations a PTZ client sends,
in the ONVIF namespaces, with the element names of the ONVIF schemas:

* device (``/onvif/device_service``): GetServices, GetCapabilities, GetSystemDateAndTime;
* media (``/onvif/media_service``): GetProfiles (one profile with a PTZ configuration);
* PTZ (``/onvif/ptz_service``): GetPresets, GotoPreset, SetPreset, RemovePreset,
  ContinuousMove, Stop, GetStatus.

Every request except GetSystemDateAndTime must carry a WS-Security UsernameToken
(PasswordDigest, as ONVIF requires, or PasswordText) for the configured user, with a fresh
nonce and a ``Created`` time within five minutes; otherwise a SOAP fault
``ter:NotAuthorized`` (HTTP 400). Pan is kept in degrees (normalised -1..1 over 360°):
a continuous move turns the camera at 90°/s times the pan velocity until Stop or its
timeout. The XAddrs it advertises name a LAN address (``advertise``), as a camera behind
NAT does: a client must not follow them elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

ENV = "http://www.w3.org/2003/05/soap-envelope"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
TT = "http://www.onvif.org/ver10/schema"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
          "#PasswordDigest")
PROFILE = "profile_1"
PAN_DEG_PER_S = 90.0
MAX_BODY = 64 * 1024
_DURATION = re.compile(r"^PT(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")


@dataclass
class Preset:
    name: str
    pan_deg: float
    tilt: float = 0.0
    zoom: float = 0.0


@dataclass
class DeviceState:
    """The camera's mechanics: where it points, how it moves, its presets and its log."""

    pan_deg: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    moving_since: float = 0.0
    moving_until: float = 0.0
    presets: dict[str, Preset] = field(default_factory=lambda: {
        "1": Preset("ประตูตลาด Market gate", 0.0), "2": Preset("ลานจอดรถ Car park", 90.0)})
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, user)
    next_token: int = 3

    def settle(self, now: float) -> None:
        """Apply the motion up to ``now`` (or to the move's timeout)."""
        vx, vy, vz = self.velocity
        end = min(now, self.moving_until)
        if end > self.moving_since and any(self.velocity):
            dt = end - self.moving_since
            self.pan_deg = (self.pan_deg + vx * PAN_DEG_PER_S * dt + 180) % 360 - 180
            self.tilt = max(-1.0, min(1.0, self.tilt + vy * 0.5 * dt))
            self.zoom = max(0.0, min(1.0, self.zoom + vz * 0.5 * dt))
        self.moving_since = now
        if now >= self.moving_until:
            self.velocity = (0.0, 0.0, 0.0)


class SimulatedPtzCamera:
    """Serve the simulated camera on ``host:port`` (0: any free port) in a thread."""

    def __init__(self, *, username: str, password: str, host: str = "127.0.0.1", port: int = 0,
                 advertise: str = "192.168.1.64") -> None:
        self.username = username
        self.password = password
        self.advertise = advertise
        self.state = DeviceState()
        self.lock = threading.Lock()
        self._nonces: set[str] = set()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> SimulatedPtzCamera:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="sim-onvif-ptz")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> SimulatedPtzCamera:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the SOAP side -------------------------------------------------------------------

    def authorised(self, header: Element | None) -> str | None:
        """The user name when the UsernameToken is right, fresh and not replayed."""
        token = header.find(f".//{{{WSSE}}}UsernameToken") if header is not None else None
        if token is None:
            return None
        user = token.findtext(f"{{{WSSE}}}Username") or ""
        password = token.find(f"{{{WSSE}}}Password")
        nonce = token.findtext(f"{{{WSSE}}}Nonce") or ""
        created = token.findtext(f"{{{WSU}}}Created") or ""
        if user != self.username or password is None or password.text is None:
            return None
        if password.get("Type", "").endswith("#PasswordDigest"):
            try:
                raw_nonce = base64.b64decode(nonce, validate=True)
                at = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except ValueError:
                return None
            if abs(datetime.now(UTC) - at) > timedelta(minutes=5):
                return None
            expected = base64.b64encode(hashlib.sha1(  # noqa: S324 - what WS-Security uses
                raw_nonce + created.encode() + self.password.encode()).digest()).decode()
            if password.text != expected:
                return None
            with self.lock:
                if nonce in self._nonces:
                    return None
                self._nonces.add(nonce)
            return user
        return user if password.text == self.password else None

    def answer(self, path: str, body: bytes) -> tuple[int, str]:
        try:
            envelope = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return 400, _fault("env:Sender", "ter:WellFormed", "not well-formed XML")
        request = envelope.find(f"{{{ENV}}}Body")
        if request is None or len(request) == 0:
            return 400, _fault("env:Sender", "ter:InvalidArgVal", "no SOAP body")
        operation = request[0]
        name = operation.tag.rsplit("}", 1)[-1]
        if name == "GetSystemDateAndTime":
            return 200, _envelope(_date_time())
        user = self.authorised(envelope.find(f"{{{ENV}}}Header"))
        if user is None:
            return 400, _fault("env:Sender", "ter:NotAuthorized", "Sender not Authorized")
        handler = _OPERATIONS.get((path, name))
        if handler is None:
            return 400, _fault("env:Receiver", "ter:ActionNotSupported", f"{name} not here")
        with self.lock:
            self.state.calls.append((name, user))
            self.state.settle(time.monotonic())
            try:
                return 200, _envelope(handler(self, operation))
            except _Refused as err:
                return 400, _fault("env:Sender", err.subcode, err.reason)

    def services_xml(self) -> str:
        out = []
        for ns, path in ((TDS, "device_service"), (TRT, "media_service"),
                         (TPTZ, "ptz_service")):
            out.append(f"<tds:Service><tds:Namespace>{ns}</tds:Namespace>"
                       f"<tds:XAddr>http://{self.advertise}/onvif/{path}</tds:XAddr>"
                       "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version>"
                       "</tds:Service>")
        return f"<tds:GetServicesResponse>{''.join(out)}</tds:GetServicesResponse>"


class _Refused(Exception):
    def __init__(self, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.subcode, self.reason = subcode, reason


def _text(el: Element, name: str, ns: str = TPTZ) -> str | None:
    found = el.find(f"{{{ns}}}{name}")
    return found.text if found is not None else None


def _profile(el: Element) -> None:
    if (_text(el, "ProfileToken") or "") != PROFILE:
        raise _Refused("ter:NoProfile", "no such profile")


def _floats(el: Element | None, *names: str) -> list[float]:
    if el is None:
        return [0.0 for _ in names]
    try:
        return [max(-1.0, min(1.0, float(el.get(n, "0")))) for n in names]
    except ValueError as err:
        raise _Refused("ter:InvalidArgVal", "not a number") from err


def _seconds(duration: str | None) -> float:
    match = _DURATION.match(duration or "")
    if not match:
        return 5.0
    minutes, seconds = match.groups()
    return min(60.0, float(minutes or 0) * 60 + float(seconds or 0))


def _position(pan_deg: float, tilt: float, zoom: float) -> str:
    return (f'<tt:PanTilt x="{pan_deg / 180:.4f}" y="{tilt:.4f}" '
            'space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"/>'
            f'<tt:Zoom x="{zoom:.4f}" '
            'space="http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"/>')


def _get_services(cam: SimulatedPtzCamera, el: Element) -> str:
    return cam.services_xml()


def _get_capabilities(cam: SimulatedPtzCamera, el: Element) -> str:
    return ("<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Media><tt:XAddr>http://{cam.advertise}/onvif/media_service</tt:XAddr></tt:Media>"
            f"<tt:PTZ><tt:XAddr>http://{cam.advertise}/onvif/ptz_service</tt:XAddr></tt:PTZ>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>")


def _get_profiles(cam: SimulatedPtzCamera, el: Element) -> str:
    return (f'<trt:GetProfilesResponse><trt:Profiles token="{PROFILE}" fixed="true">'
            "<tt:Name>mainStream</tt:Name>"
            '<tt:PTZConfiguration token="ptz_cfg_1"><tt:Name>PTZ</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:NodeToken>ptz_node_1</tt:NodeToken>"
            "<tt:DefaultPTZTimeout>PT5S</tt:DefaultPTZTimeout></tt:PTZConfiguration>"
            "</trt:Profiles></trt:GetProfilesResponse>")


def _get_presets(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    items = "".join(
        f"<tptz:Preset token={quoteattr(token)}><tt:Name>{escape(p.name)}</tt:Name>"
        f"<tt:PTZPosition>{_position(p.pan_deg, p.tilt, p.zoom)}</tt:PTZPosition></tptz:Preset>"
        for token, p in sorted(cam.state.presets.items()))
    return f"<tptz:GetPresetsResponse>{items}</tptz:GetPresetsResponse>"


def _goto_preset(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    preset = cam.state.presets.get(_text(el, "PresetToken") or "")
    if preset is None:
        raise _Refused("ter:NoToken", "no such preset")
    state = cam.state
    state.pan_deg, state.tilt, state.zoom = preset.pan_deg, preset.tilt, preset.zoom
    state.velocity = (0.0, 0.0, 0.0)
    return "<tptz:GotoPresetResponse/>"


def _set_preset(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    state = cam.state
    token = _text(el, "PresetToken") or str(state.next_token)
    if token == str(state.next_token):
        state.next_token += 1
    if len(state.presets) >= 64 and token not in state.presets:
        raise _Refused("ter:TooManyPresets", "preset memory full")
    name = (_text(el, "PresetName") or f"Preset {token}")[:64]
    state.presets[token] = Preset(name, state.pan_deg, state.tilt, state.zoom)
    return (f"<tptz:SetPresetResponse><tptz:PresetToken>{escape(token)}</tptz:PresetToken>"
            "</tptz:SetPresetResponse>")


def _remove_preset(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    if cam.state.presets.pop(_text(el, "PresetToken") or "", None) is None:
        raise _Refused("ter:NoToken", "no such preset")
    return "<tptz:RemovePresetResponse/>"


def _continuous_move(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    velocity = el.find(f"{{{TPTZ}}}Velocity")
    pan_tilt = velocity.find(f"{{{TT}}}PanTilt") if velocity is not None else None
    zoom = velocity.find(f"{{{TT}}}Zoom") if velocity is not None else None
    vx, vy = _floats(pan_tilt, "x", "y")
    (vz,) = _floats(zoom, "x")
    now = time.monotonic()
    state = cam.state
    state.velocity, state.moving_since = (vx, vy, vz), now
    state.moving_until = now + _seconds(_text(el, "Timeout"))
    return "<tptz:ContinuousMoveResponse/>"


def _stop(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    cam.state.velocity = (0.0, 0.0, 0.0)
    cam.state.moving_until = time.monotonic()
    return "<tptz:StopResponse/>"


def _get_status(cam: SimulatedPtzCamera, el: Element) -> str:
    _profile(el)
    state = cam.state
    moving = "MOVING" if any(state.velocity) else "IDLE"
    return ("<tptz:GetStatusResponse><tptz:PTZStatus>"
            f"<tt:Position>{_position(state.pan_deg, state.tilt, state.zoom)}</tt:Position>"
            f"<tt:MoveStatus><tt:PanTilt>{moving}</tt:PanTilt><tt:Zoom>{moving}</tt:Zoom>"
            f"</tt:MoveStatus><tt:UtcTime>{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}</tt:UtcTime>"
            "</tptz:PTZStatus></tptz:GetStatusResponse>")


_OPERATIONS: dict[tuple[str, str], Any] = {
    ("/onvif/device_service", "GetServices"): _get_services,
    ("/onvif/device_service", "GetCapabilities"): _get_capabilities,
    ("/onvif/media_service", "GetProfiles"): _get_profiles,
    **{("/onvif/ptz_service", name): fn for name, fn in (
        ("GetPresets", _get_presets), ("GotoPreset", _goto_preset),
        ("SetPreset", _set_preset), ("RemovePreset", _remove_preset),
        ("ContinuousMove", _continuous_move), ("Stop", _stop), ("GetStatus", _get_status))},
}


def _date_time() -> str:
    now = datetime.now(UTC)
    return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}"
            f"</tt:Minute><tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>"
            f"{now.year}</tt:Year><tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day>"
            "</tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
            "</tds:GetSystemDateAndTimeResponse>")


def _envelope(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{ENV}" '
            f'xmlns:tds="{TDS}" xmlns:trt="{TRT}" xmlns:tptz="{TPTZ}" xmlns:tt="{TT}" '
            'xmlns:ter="http://www.onvif.org/ver10/error">'
            f"<env:Body>{body}</env:Body></env:Envelope>")


def _fault(code: str, subcode: str, reason: str) -> str:
    return _envelope(f"<env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode>"
                     f"<env:Value>{subcode}</env:Value></env:Subcode></env:Code><env:Reason>"
                     f'<env:Text xml:lang="en">{escape(reason)}</env:Text></env:Reason>'
                     "</env:Fault>")


def _handler(cam: SimulatedPtzCamera) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                status, text = 413, _fault("env:Sender", "ter:InvalidArgVal", "body size")
            else:
                status, text = cam.answer(self.path.split("?", 1)[0], self.rfile.read(length))
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: tests and the demo read the device's ``calls`` instead

    return Handler
