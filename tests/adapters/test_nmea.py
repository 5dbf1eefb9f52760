"""NMEA RMC decoder and TCP line framer: real tracker sentences, split streams, garbage."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.nmea import KNOT_MPS, NmeaFramer, checksum, parse_rmc, sentence_type
from safetyzone.core.events import GpsIn
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nmea"
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = {"not_before": datetime(2000, 1, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
DEVICE = "865328028306149"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def sentence(name: str) -> str:
    return FIXTURES.joinpath(name).read_text()


def with_checksum(body: str) -> str:
    return f"${body}*{checksum(body):02X}"


def parse(line: str) -> GpsIn | None:
    event = parse_rmc(line, device_id=DEVICE, received_at=RECEIVED)
    if event is not None:
        assert_valid_event(event, **WINDOW)
    return event


def refused_or_valid(line: str) -> None:
    try:
        parse(line)
    except AdapterError as err:
        refusal = err
    else:
        return
    assert refusal.detail


# fixture: time, lat, lon, speed knots, course
EXPECTED = {
    "xexun_bangkok.nmea": ("2015-02-24T09:33:41+00:00", 13.742860, 100.561080, 0.0, 0.0),
    "xexun_moscow_gnrmc.nmea": ("2015-02-16T13:44:18+00:00", 55.564955, 37.757330, 0.0,
                                308.85),
    # Traccar's own expectation for this sentence: 2011-09-01 15:01:20, -33.77411, 150.95514
    "xexun_sydney_south.nmea": ("2011-09-01T15:01:20+00:00", -33.77411, 150.95514, 0.0, 117.4),
    "xexun_liverpool_west.nmea": ("2017-10-07T16:05:05+00:00", 53.391133, -2.873670, 0.0,
                                  129.7),
    "ublox_empty_course.nmea": ("2022-07-15T20:12:30+00:00", 60.447825, 22.285681, 0.689,
                                None),
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_real_sentences_decode(
    name: str, expected: tuple[str, float, float, float, float | None]
) -> None:
    event = parse(sentence(name))
    assert event is not None
    when, lat, lon, knots, course = expected
    assert event.event_time.isoformat() == when
    assert event.location.lat == pytest.approx(lat, abs=1e-5)
    assert event.location.lon == pytest.approx(lon, abs=1e-5)
    assert event.payload.speed_mps == pytest.approx(knots * KNOT_MPS)
    assert event.payload.heading_deg == course
    assert event.device_event_id == f"nmea:{DEVICE}:{round(event.event_time.timestamp() * 1000)}"


def test_gnrmc_talker_and_mode_are_kept() -> None:
    event = parse(sentence("xexun_moscow_gnrmc.nmea"))
    assert event is not None
    assert event.payload.attributes == {"talker": "GN", "mode": "A"}


def test_no_fix_is_none_not_an_error() -> None:
    assert parse(sentence("teseo_no_fix.nmea")) is None
    body = "GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0.00,0.00,240215,,,N"
    assert parse(with_checksum(body)) is None  # status A but mode N: data not valid


def test_rejected_real_sentences_say_why() -> None:
    with pytest.raises(AdapterError, match="sentence says 4D, content gives 63"):
        parse(sentence("rejected_xexun_bad_checksum.nmea"))
    with pytest.raises(AdapterError, match=r"1994-11-19T22:54:46.*not plausible"):
        parse(sentence("rejected_1994_date.nmea"))


def test_checksum_hex_case_and_whitespace() -> None:
    line = sentence("xexun_bangkok.nmea").strip()
    lower = line[:-2] + line[-2:].lower()
    assert parse(f"  {lower}\r\n") == parse(line)


GOOD_BODY = "GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0.00,0.00,240215,,,A"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "not an NMEA sentence"),
        ("$" + GOOD_BODY, "not an NMEA sentence with a checksum"),
        ("$" + GOOD_BODY + "*6", "not an NMEA sentence with a checksum"),
        ("$" + GOOD_BODY + "*ZZ", "not an NMEA sentence with a checksum"),
        (with_checksum("GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000"),
         "not an RMC sentence"),
        (with_checksum("XXRMC,093341.000,A,1344.5716,N,10033.6648,E,0,0,240215"),
         "not an RMC sentence"),
        (with_checksum("GPRMC,093341.000,A"), "has 3 fields"),
        (with_checksum("GPRMC,093341.000,X,1344.5716,N,10033.6648,E,0,0,240215"),
         "status must be A or V"),
        (with_checksum("GPRMC,093341.000,A,1399.5716,N,10033.6648,E,0,0,240215"), "minutes"),
        (with_checksum("GPRMC,093341.000,A,9100.0000,N,10033.6648,E,0,0,240215"),
         "latitude 91 is out of range"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,Q,10033.6648,E,0,0,240215"),
         "is not ddmm.mmmm,NS"),
        (with_checksum("GPRMC,093341.000,A,-1344.57,N,10033.6648,E,0,0,240215"),
         "is not ddmm.mmmm"),
        (with_checksum("GPRMC,093341.000,A,0000.0000,N,00000.0000,E,0,0,240215"), "null island"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0,0,310215"),
         "does not exist"),
        (with_checksum("GPRMC,253341.000,A,1344.5716,N,10033.6648,E,0,0,240215"),
         "does not exist"),
        (with_checksum("GPRMC,0933,A,1344.5716,N,10033.6648,E,0,0,240215"), "not valid"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,N,10033.6648,E,nan,0,240215"),
         "speed must be a number"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,N,10033.6648,E,999,0,240215"),
         "out of range"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0,361,240215"),
         "course 361 is out of range"),
        (with_checksum("GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0,0,010130"),
         "not plausible"),
        ("$" + "A" * 200 + "*00", "longer than 128"),
        ("$GPRMC,093341.000,A,1344.5716,N,10033.6648,E,0.00,0.00,240215,,,A*68$GPRMC",
         "not an NMEA sentence"),
    ],
)
def test_garbage_is_refused_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        parse(line)


def test_device_id_is_required() -> None:
    with pytest.raises(AdapterError, match="device id is missing"):
        parse_rmc(sentence("xexun_bangkok.nmea"), device_id=" ", received_at=RECEIVED)


def test_sentence_type() -> None:
    assert sentence_type("$GNRMC,,V,,,,,,,,,,N,V*37") == "RMC"
    assert sentence_type("$GPGGA,1") == "GGA"
    assert sentence_type("imei:865328028306149,") is None
    assert sentence_type("$12345") is None


# Framing ------------------------------------------------------------------------------

LINES = [sentence(n).strip() for n in sorted(EXPECTED)]
STREAM = "".join(f"{line}\r\n" for line in LINES).encode()


def test_framer_splits_concatenated_input() -> None:
    assert NmeaFramer().feed(STREAM) == LINES


@pytest.mark.parametrize("cut", range(1, 80))
def test_framer_reassembles_input_split_anywhere(cut: int) -> None:
    framer = NmeaFramer()
    assert framer.feed(STREAM[:cut]) + framer.feed(STREAM[cut:]) == LINES


def test_framer_one_byte_at_a_time() -> None:
    framer = NmeaFramer()
    lines = [line for i in range(len(STREAM)) for line in framer.feed(STREAM[i:i + 1])]
    assert lines == LINES


@pytest.mark.parametrize("eol", [b"\r", b"\n", b"\r\n", b"\n\r", b"\r\r\n\n"])
def test_framer_accepts_any_line_end(eol: bytes) -> None:
    data = eol.join(line.encode() for line in LINES) + eol
    assert NmeaFramer().feed(data) == LINES


def test_framer_drops_overlong_lines_and_recovers() -> None:
    framer = NmeaFramer(max_line=100)
    assert framer.feed(b"$" + b"x" * 150) == []
    assert framer.feed(b"y" * 10_000) == []  # still the same line: nothing buffered
    assert len(framer._buffer) == 0
    assert framer.feed(b"\r\n" + STREAM) == LINES
    assert framer.dropped == 1
    assert framer.feed(b"z" * 101 + b"\n" + LINES[0].encode() + b"\n") == [LINES[0]]
    assert framer.dropped == 2


def test_framer_non_ascii_bytes_reach_the_checksum_and_are_refused() -> None:
    line = NmeaFramer().feed(sentence("xexun_bangkok.nmea").encode().replace(b"A", b"\xc1", 1))
    with pytest.raises(AdapterError):
        parse(line[0])


@FUZZ
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=8))
def test_framer_is_independent_of_chunking(cuts: list[int]) -> None:
    framer = NmeaFramer()
    points = [0, *sorted(cuts), len(STREAM)]
    out = [line for a, b in itertools.pairwise(points) for line in framer.feed(STREAM[a:b])]
    assert out == LINES


@FUZZ
@given(st.lists(st.binary(max_size=400), max_size=10))
def test_framer_never_raises_nor_buffers_past_its_limit(chunks: list[bytes]) -> None:
    framer = NmeaFramer(max_line=120)
    for chunk in chunks:
        for line in framer.feed(chunk):
            assert 0 < len(line) <= 120 and "\r" not in line and "\n" not in line
            refused_or_valid(line)
        assert len(framer._buffer) <= 120


@FUZZ
@given(st.text(max_size=120))
def test_random_text_is_refused_or_valid(text: str) -> None:
    refused_or_valid(text)
    refused_or_valid("$GPRMC," + text)


FIELD = st.one_of(st.text(alphabet="0123456789.-NSEWAVZ", max_size=12), st.just(""))


@FUZZ
@given(st.lists(FIELD, min_size=0, max_size=14))
def test_random_fields_with_a_valid_checksum_are_refused_or_valid(fields: list[str]) -> None:
    refused_or_valid(with_checksum(",".join(["GPRMC", *fields])))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_truncation_is_refused_or_valid(name: str) -> None:
    line = sentence(name).strip()
    for end in range(len(line)):
        refused_or_valid(line[:end])
