"""Hikvision ISAPI ANPR pushes: ``EventNotificationAlert`` XML, alone or in multipart/form-data.

A camera set to "notify surveillance center" POSTs multipart/form-data: one XML part
(``anpr.xml``) and one JPEG part per picture, named by the picture's ``pId`` or file name.
:func:`split_multipart` separates them (python-multipart, no hand-made boundary parsing);
:func:`decode_hikvision` turns the XML into a PlateIn; :func:`read_hikvision` also returns
the camera's identity, plate colour, vehicle and picture list, which a PlateIn has no place
for. XML is parsed only with defusedxml, DTDs forbidden: no XXE, no entity expansion.

Fields read (local names; the ``hikvision.com`` and ``isapi.org`` ver20 namespaces, or none):

=====================================  ===================================================
path                                   use
=====================================  ===================================================
eventType                              must be ``ANPR`` (else code ``not-a-plate-read``)
dateTime                               ISO 8601 with offset; none: ``naive_tz`` (Bangkok)
UUID                                   camera's event id -> ``device_event_id``
ipAddress, macAddress, channelID       camera identity (``HikvisionRead.camera``)
ANPR/licensePlate                      plate (``unknown`` or empty: not a read)
ANPR/confidenceLevel                   0-100
ANPR/direction                         ``forward`` / ``reverse`` (``unknown`` dropped)
ANPR/plateColor, ANPR/plateType        ``HikvisionRead``
ANPR/country                           Hikvision country number (64 on Thai cameras)
ANPR/tailandStateID (sic)              Thai province number, :data:`STATE_IDS`
ANPR/province, ANPR/plateProvince      province text (Thai/English name or code)
ANPR/vehicleType, ANPR/vehicleInfo     ``HikvisionRead.vehicle``
ANPR/pictureInfoList/pictureInfo       fileName, type (licensePlatePicture, ...), pId
DeviceGPSInfo                          camera position, degree/minute/sec; 0,0 = unset
=====================================  ===================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from safetyzone.adapters.errors import NOT_A_READ, AdapterError, parse_number, quote
from safetyzone.adapters.lpr.plate_event import PlateRead, location_or_none, to_plate_in
from safetyzone.adapters.lpr.thai_plate import find_province
from safetyzone.core.clock import BANGKOK
from safetyzone.core.events import Location, PlateIn

NAMESPACES = ("http://www.hikvision.com/ver20/XMLSchema", "http://www.isapi.org/ver20/XMLSchema")
MAX_XML = 1_048_576
MAX_BODY = 64 * 1_048_576
MAX_PARTS = 32
NO_PLATE = frozenset({"", "unknown", "无车牌", "noplate"})
PLATE_PICTURE_TYPES = ("licensePlatePicture", "detectionPicture", "vehiclePicture")
_STATE_NUMBER = re.compile(r"[0-9]{1,3}")

# Hikvision's ThailandProvinceCode (``tailandStateID``): number -> name as printed on plates.
# 78 is Betong, a Yala district with its own registry (maps to TH-95). 0 means unknown.
STATE_IDS: tuple[str, ...] = (
    "", "กรุงเทพมหานคร", "กระบี่", "กาญจนบุรี", "กาฬสินธุ์", "กำแพงเพชร", "ขอนแก่น",
    "จันทบุรี", "ฉะเชิงเทรา", "ชลบุรี", "ชัยนาท", "ชัยภูมิ", "ชุมพร", "เชียงราย", "เชียงใหม่",
    "ตรัง", "ตราด", "ตาก", "นครนายก", "นครปฐม", "นครพนม", "นครราชสีมา", "นครศรีธรรมราช",
    "นครสวรรค์", "นนทบุรี", "นราธิวาส", "น่าน", "บึงกาฬ", "บุรีรัมย์", "ปทุมธานี",
    "ประจวบคีรีขันธ์", "ปราจีนบุรี", "ปัตตานี", "พระนครศรีอยุธยา", "พังงา", "พัทลุง", "พิจิตร",
    "พิษณุโลก", "เพชรบุรี", "เพชรบูรณ์", "แพร่", "พะเยา", "ภูเก็ต", "มหาสารคาม", "มุกดาหาร",
    "แม่ฮ่องสอน", "ยะลา", "ยโสธร", "ร้อยเอ็ด", "ระนอง", "ระยอง", "ราชบุรี", "ลพบุรี", "ลำปาง",
    "ลำพูน", "เลย", "ศรีสะเกษ", "สกลนคร", "สงขลา", "สตูล", "สมุทรปราการ", "สมุทรสงคราม",
    "สมุทรสาคร", "สระแก้ว", "สระบุรี", "สิงห์บุรี", "สุโขทัย", "สุพรรณบุรี", "สุราษฎร์ธานี",
    "สุรินทร์", "หนองคาย", "หนองบัวลำภู", "อ่างทอง", "อุดรธานี", "อุทัยธานี", "อุตรดิตถ์",
    "อุบลราชธานี", "อำนาจเจริญ", "เบตง",
)


@dataclass(frozen=True)
class CameraIdentity:
    """Who sent the alert, as the camera describes itself (the intake maps it to a device)."""

    ip_address: str | None
    mac_address: str | None
    channel_id: str | None
    device_uuid: str | None
    channel_name: str | None


@dataclass(frozen=True)
class Picture:
    """One picture announced in the XML; its JPEG is the multipart part named ``part_name``."""

    file_name: str
    type: str | None
    pid: str | None

    @property
    def part_name(self) -> str:
        return self.pid or self.file_name


@dataclass(frozen=True)
class HikvisionRead:
    """Everything useful in one ANPR alert: the event plus what PlateIn has no field for."""

    event: PlateIn
    camera: CameraIdentity
    plate_color: str | None = None
    plate_type: str | None = None
    country: str | None = None
    vehicle: dict[str, str] = field(default_factory=dict)
    pictures: tuple[Picture, ...] = ()


def split_multipart(body: bytes, content_type: str) -> tuple[bytes, dict[str, bytes]]:
    """The XML part and the other parts (pictures) by part name, from a camera's POST.

    A plain ``application/xml`` or ``text/xml`` body is returned as it is, with no pictures.
    """
    ctype, options = parse_options_header(content_type)
    if ctype in (b"application/xml", b"text/xml"):
        return body, {}
    if not ctype.startswith(b"multipart/"):
        raise AdapterError(f"expected multipart/form-data or XML, got {quote(content_type)}")
    boundary = options.get(b"boundary")
    if not boundary:
        raise AdapterError("multipart content type has no boundary")
    if len(body) > MAX_BODY:
        raise AdapterError(f"body is larger than {MAX_BODY} bytes")
    parts = _parse_parts(body, boundary)
    xml_index = next((i for i, part in enumerate(parts) if part.is_xml()), None)
    if xml_index is None:
        raise AdapterError("no XML part in the multipart body")
    images: dict[str, bytes] = {}
    for index, part in enumerate(parts):
        if index != xml_index:
            images[_unique(part.name() or f"part{index}", images)] = bytes(part.data)
    return bytes(parts[xml_index].data), images


def decode_hikvision(
    xml_bytes: bytes, *, received_at: datetime, naive_tz: tzinfo = BANGKOK
) -> PlateIn:
    """Translate an ANPR EventNotificationAlert into a PlateIn; AdapterError if unusable."""
    return read_hikvision(xml_bytes, received_at=received_at, naive_tz=naive_tz).event


def read_hikvision(
    xml_bytes: bytes, *, received_at: datetime, naive_tz: tzinfo = BANGKOK
) -> HikvisionRead:
    """Like :func:`decode_hikvision`, plus camera identity, vehicle and pictures."""
    root = _parse_xml(xml_bytes)
    alert = _Node(root)
    event_type = alert.text("eventType")
    if (event_type or "").upper() != "ANPR":
        raise AdapterError(f"event type {quote(event_type or '')} is not an ANPR read",
                           code=NOT_A_READ)
    plate = alert.text("ANPR/licensePlate") or alert.text("ANPR/originalLicensePlate") or ""
    if plate.strip().lower() in NO_PLATE:
        raise AdapterError("the camera saw a vehicle but read no plate", code=NOT_A_READ)
    pictures = _pictures(alert)
    camera = CameraIdentity(
        ip_address=alert.text("ipAddress"), mac_address=alert.text("macAddress"),
        channel_id=alert.text("channelID") or alert.text("dynChannelID"),
        device_uuid=alert.text("deviceUUID"), channel_name=alert.text("channelName"),
    )
    confidence = alert.text("ANPR/confidenceLevel")
    direction = alert.text("ANPR/direction")
    province_text, province_code = _province(alert)
    read = PlateRead(
        source="hikvision",
        plate=plate,
        event_time=_event_time(alert.text("dateTime"), received_at, naive_tz),
        province=province_text,
        province_code=province_code,
        confidence=parse_number(confidence, "confidenceLevel") if confidence else None,
        direction=None if (direction or "").lower() == "unknown" else direction,
        image_ref=_plate_picture(pictures),
        camera_event_id=alert.text("UUID"),
        camera_id=camera.mac_address or camera.ip_address,
        location=_gps(alert),
    )
    vehicle = {
        key: value
        for key, path in (("type", "ANPR/vehicleType"), ("color", "ANPR/vehicleInfo/color"),
                          ("logo", "ANPR/vehicleInfo/vehicleLogoRecog"))
        if (value := alert.text(path)) and value not in ("unknown", "0")
    }
    return HikvisionRead(
        event=to_plate_in(read, received_at=received_at),
        camera=camera,
        plate_color=alert.text("ANPR/plateColor"),
        plate_type=alert.text("ANPR/plateType"),
        country=alert.text("ANPR/country"),
        vehicle=vehicle,
        pictures=pictures,
    )


class _Node:
    """Namespace-blind access to an element tree by local-name paths like ``ANPR/direction``."""

    def __init__(self, element: Element) -> None:
        self.element = element

    def find(self, path: str) -> _Node | None:
        node: Element | None = self.element
        for step in path.split("/"):
            if node is None:
                return None
            node = next((child for child in node if _local(child.tag) == step), None)
        return _Node(node) if node is not None else None

    def find_all(self, path: str) -> list[_Node]:
        parent, _, leaf = path.rpartition("/")
        base = self.find(parent) if parent else self
        return [] if base is None else [_Node(c) for c in base.element if _local(c.tag) == leaf]

    def text(self, path: str) -> str | None:
        node = self.find(path)
        value = (node.element.text or "").strip() if node is not None else ""
        return value[:256] or None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse_xml(xml_bytes: bytes) -> Element:
    if len(xml_bytes) > MAX_XML:
        raise AdapterError(f"XML is larger than {MAX_XML} bytes")
    try:
        root = fromstring(xml_bytes.rstrip(b"\x00 \r\n\t"), forbid_dtd=True)
    except DefusedXmlException as err:
        raise AdapterError(f"XML refused as unsafe ({type(err).__name__})") from err
    except (ParseError, ValueError, LookupError) as err:  # LookupError: unknown encoding
        raise AdapterError(f"XML is not well-formed: {err}") from err
    if _local(root.tag) != "EventNotificationAlert":
        raise AdapterError(f"XML root is {quote(_local(root.tag))}, not EventNotificationAlert")
    return root


def _event_time(text: str | None, received_at: datetime, naive_tz: tzinfo) -> datetime:
    if text is None:
        return received_at
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise AdapterError(f"dateTime {quote(text)} is not ISO 8601") from err
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=naive_tz)


def _province(alert: _Node) -> tuple[str | None, str | None]:
    """Province text as sent, and its ISO code: a name/code field first, then the number."""
    for path in ("ANPR/province", "ANPR/plateProvince", "plateProvince", "ANPR/provinceName"):
        text = alert.text(path)
        if text and not _STATE_NUMBER.fullmatch(text):
            found = find_province(text)
            return text, found.code if found else None
    number = alert.text("ANPR/tailandStateID") or alert.text("ANPR/province")
    if number and _STATE_NUMBER.fullmatch(number) and 0 < int(number) < len(STATE_IDS):
        name = STATE_IDS[int(number)]
        found = find_province(name)
        return name, found.code if found else None
    return None, None


def _pictures(alert: _Node) -> tuple[Picture, ...]:
    nodes = alert.find_all("ANPR/pictureInfoList/pictureInfo") or alert.find_all(
        "pictureInfoList/pictureInfo"
    )
    pictures = []
    for node in nodes[:MAX_PARTS]:
        file_name = node.text("fileName")
        if file_name:
            pictures.append(Picture(file_name, node.text("type"), node.text("pId")))
    return tuple(pictures)


def _plate_picture(pictures: tuple[Picture, ...]) -> str | None:
    for wanted in PLATE_PICTURE_TYPES:
        for picture in pictures:
            if picture.type == wanted:
                return picture.part_name
    return pictures[0].part_name if pictures else None


def _gps(alert: _Node) -> Location | None:
    gps = alert.find("DeviceGPSInfo")
    if gps is None:
        return None
    try:
        lat = _dms(gps, "Latitude") * (-1 if gps.text("latitudeType") == "S" else 1)
        lon = _dms(gps, "Longitude") * (-1 if gps.text("longitudeType") == "W" else 1)
    except AdapterError:
        return None  # a camera's broken GPS block must not cost the plate read
    return location_or_none(lat, lon)


def _dms(gps: _Node, name: str) -> float:
    degree, minute, sec = (gps.text(f"{name}/{part}") for part in ("degree", "minute", "sec"))
    return (parse_number(degree or "0", "degree") + parse_number(minute or "0", "minute") / 60
            + parse_number(sec or "0", "sec") / 3600)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)

    def disposition(self) -> dict[bytes, bytes]:
        return parse_options_header(self.headers.get(b"content-disposition", b""))[1]

    def name(self) -> str | None:
        options = self.disposition()
        raw = options.get(b"name") or options.get(b"filename")
        return raw.decode("utf-8", "replace")[:128] if raw else None

    def is_xml(self) -> bool:
        ctype = parse_options_header(self.headers.get(b"content-type", b""))[0]
        filename = self.disposition().get(b"filename", b"").lower()
        return (b"xml" in ctype or filename.endswith(b".xml")
                or bytes(self.data[:64]).lstrip().startswith(b"<"))


def _parse_parts(body: bytes, boundary: bytes) -> list[_Part]:
    """Run python-multipart's streaming parser; only parts that ended are kept."""
    done: list[_Part] = []
    current = _Part()
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        nonlocal current
        current = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        current.headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current.data.extend(data[start:end])

    def on_part_end() -> None:
        if len(done) >= MAX_PARTS:
            raise AdapterError(f"more than {MAX_PARTS} parts in the multipart body")
        done.append(current)

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_part_data": on_part_data, "on_part_end": on_part_end,
    })
    try:
        parser.write(body)
        parser.finalize()
    except (FormParserError, ValueError) as err:
        raise AdapterError(f"multipart body is malformed: {err}") from err
    return done


def _unique(name: str, taken: dict[str, bytes]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}#{number}", number + 1
    return candidate
