"""The track codec: lossless round trips in its quanta (any order, any sign), appends that
equal a whole encoding, refusals of cut or garbage bytes, and the size it exists for."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safetyzone.patrol import trackcodec as codec
from safetyzone.patrol.trackcodec import CodecError, Fix, State

T0 = codec.to_ms(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))

fixes_strategy = st.lists(st.builds(
    Fix,
    t=st.integers(T0 - 10**9, T0 + 10**9),  # +-11 days: any order, negative deltas included
    lat=st.integers(-90 * codec.DEG, 90 * codec.DEG),
    lon=st.integers(-180 * codec.DEG, 180 * codec.DEG),
    speed=st.none() | st.integers(0, 1500),
    acc=st.none() | st.integers(0, 1_000_000),
    suspect=st.booleans()), min_size=1, max_size=60)


@given(fixes_strategy)
def test_a_chunk_round_trips_exactly_in_any_order(fixes: list[Fix]) -> None:
    data, state = codec.encode_chunk(fixes)
    assert codec.decode(data, State.start(fixes[0].t)) == fixes
    assert state.t == fixes[-1].t and (state.lat, state.lon) == (fixes[-1].lat, fixes[-1].lon)


@given(fixes_strategy, fixes_strategy)
def test_appending_from_the_kept_state_equals_encoding_everything_at_once(
    first: list[Fix], then: list[Fix],
) -> None:
    head, state = codec.encode_chunk(first)
    tail, end = codec.encode(then, state)
    whole, whole_end = codec.encode_chunk(first + then)
    assert head + tail == whole and end == whole_end
    assert codec.decode(head + tail, State.start(first[0].t)) == first + then


@given(st.integers(-(2**62), 2**62))
def test_zigzag_is_a_bijection(n: int) -> None:
    assert codec.unzigzag(codec.zigzag(n)) == n
    assert codec.zigzag(n) >= 0


def test_small_magnitudes_stay_small() -> None:
    assert [codec.zigzag(n) for n in (0, -1, 1, -2, 2)] == [0, 1, 2, 3, 4]


def test_negative_and_backwards_deltas_decode() -> None:
    fixes = [Fix(T0, 13_730_000, 100_470_000, 100, 50),
             Fix(T0 - 5000, 13_729_000, 100_471_000, 0, 49),  # earlier, south, east
             Fix(T0 - 4000, 13_731_000, 100_469_000, None, None, True),
             Fix(T0 + 3_600_000, -1, -1, 1500, 0)]
    data, _ = codec.encode_chunk(fixes)
    assert codec.decode(data, State.start(T0)) == fixes


def test_a_missing_speed_or_accuracy_keeps_the_last_one_for_the_next_delta() -> None:
    fixes = [Fix(T0, 0, 0, 120, 80), Fix(T0 + 1, 0, 0, None, None), Fix(T0 + 2, 0, 0, 121, 80)]
    data, state = codec.encode_chunk(fixes)
    assert codec.decode(data, State.start(T0)) == fixes
    assert (state.speed, state.acc) == (121, 80)


def test_quanta_are_what_the_module_says() -> None:
    at = datetime(2026, 11, 30, 1, 2, 3, 456_789, tzinfo=UTC)
    fix = codec.quantize(at, 13.7563309, 100.5017651, 8.34, 4.66, suspect=True)
    assert codec.from_ms(fix.t) == at.replace(microsecond=456_000)  # 1 ms, floored
    assert codec.degrees(fix.lat) == 13.756331 and codec.degrees(fix.lon) == 100.501765
    assert codec.tenths(fix.speed) == 8.3 and codec.tenths(fix.acc) == 4.7 and fix.suspect
    # Time converts exactly (integers, no float rounding), also before the epoch.
    assert codec.to_ms(codec.from_ms(-1)) == -1
    assert codec.to_ms(datetime(2030, 1, 1, tzinfo=UTC)) == 1_893_456_000_000


def test_cut_or_garbage_bytes_are_refused_not_misread() -> None:
    data, _ = codec.encode_chunk([Fix(T0, 13_730_000, 100_470_000, 100, 50),
                                  Fix(T0 + 5000, 13_730_400, 100_470_300, 101, 50)])
    for cut in range(1, len(data)):
        try:
            decoded = codec.decode(data[:cut], State.start(T0))
        except CodecError:
            continue
        # A cut exactly between records is a shorter track, never different values.
        assert decoded == codec.decode(data, State.start(T0))[:len(decoded)]
    with pytest.raises(CodecError, match="cut short"):
        codec.decode(b"\x80", State.start(T0))
    with pytest.raises(CodecError, match="longer than"):
        codec.decode(b"\xff" * 11, State.start(T0))
    with pytest.raises(ValueError, match="at least one"):
        codec.encode_chunk([])


def test_a_car_on_patrol_costs_under_eight_bytes_a_fix() -> None:
    """5 s fixes of a car driving 8-12 m/s with turns and stops, GPS accuracy 3-12 m."""
    fixes, lat, lon, heading = [], 13.73, 100.47, 0.0
    for i in range(720):  # an hour
        speed = 0.0 if (i // 60) % 4 == 3 else 8 + (i % 9) / 2  # a stop each 20 minutes
        heading += 90.0 if i % 40 == 0 else 0.0
        lat += speed * 5 * math.cos(math.radians(heading)) / 111_320
        lon += speed * 5 * math.sin(math.radians(heading)) / 108_000
        fixes.append(codec.quantize(datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=5 * i),
                                    lat, lon, speed, 3 + (i % 10)))
    data, _ = codec.encode_chunk(fixes)
    assert len(data) / len(fixes) < 8
