"""Decoding: every published frame into its events, and the receiver-side rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sia_cases import SiaCase, each_case

from safetyzone.adapters.sia_dc09 import (
    AccountConfig,
    DecodePolicy,
    FrameRejected,
    Header,
    MessageNotUnderstood,
    MessageRejected,
    decode_frame,
    encode_ack,
    encode_duh,
    encode_message,
)
from safetyzone.adapters.sia_dc09.crypto import encrypt_content
from safetyzone.adapters.sia_dc09.encoder import frame
from safetyzone.core.events import AlarmCategory, AlarmIn, DeviceState, EventIn, StatusIn
from support.event_checks import assert_valid_event

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
KEY = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
OTHER_KEY = bytes.fromhex("FFEEDDCCBBAA99887766554433221100")
ACCOUNTS = {"1234": AccountConfig(), "5678": AccountConfig(key=KEY)}


def plain(data: str, *, seq: str = "0001", account: str | None = "1234", token: str = "SIA-DCS",
          receiver: str | None = None, xdata: tuple[str, ...] = (),
          timestamp: datetime | None = None) -> bytes:
    header = Header(token=token, encrypted=False, seq=seq, receiver=receiver, line="0",
                    account=account)
    return encode_message(header, data, xdata=xdata, timestamp=timestamp)


def encrypted(data: str, *, seq: str = "0001", account: str = "5678", token: str = "SIA-DCS",
              timestamp: datetime | None = NOW, key: bytes = KEY) -> bytes:
    header = Header(token=token, encrypted=True, seq=seq, receiver="0", line="0",
                    account=account)
    return encode_message(header, data, timestamp=timestamp, key=key)


def decode(frame_bytes: bytes, *, now: datetime = NOW, policy: DecodePolicy | None = None,
           accounts: dict[str, AccountConfig] | None = None) -> list[EventIn]:
    events = decode_frame(frame_bytes, accounts=accounts or ACCOUNTS, now=now,
                          policy=policy).events
    for event in events:
        assert_valid_event(event, reference=now, window=timedelta(minutes=1))
    return events


def alarm(event: EventIn) -> AlarmIn:
    assert isinstance(event, AlarmIn)
    return event


# -- published frames ------------------------------------------------------------------


@each_case
def test_published_frame_decodes_as_expected(sia_case: SiaCase) -> None:
    expect = sia_case.expect
    kwargs = {"accounts": sia_case.accounts, "now": sia_case.received_at}
    if expect["reply"] == "none":
        with pytest.raises(FrameRejected):
            decode_frame(sia_case.frame, **kwargs)  # type: ignore[arg-type]
        return
    if expect["reply"] == "DUH":
        with pytest.raises(MessageNotUnderstood) as caught:
            decode_frame(sia_case.frame, **kwargs)  # type: ignore[arg-type]
        assert caught.value.header is not None
        assert encode_duh(caught.value.header) == expect["reply_frame"].encode()
        return
    decoded = decode_frame(sia_case.frame, **kwargs)  # type: ignore[arg-type]
    message = decoded.message
    header = message.header
    assert (header.token, header.encrypted, header.seq, header.receiver, header.line) == (
        expect["token"], expect["encrypted"], expect["seq"], expect["receiver"], expect["line"]
    )
    assert message.account == expect["account"]
    stamp = expect["timestamp"]
    assert message.timestamp == (datetime.fromisoformat(stamp) if stamp else None)
    assert (message.key is not None) == (expect["reply"] == "*ACK")
    assert message.clock_wrong == expect.get("clock_wrong", False)
    assert len(decoded.events) == len(expect["events"])
    for event, wanted in zip(decoded.events, expect["events"], strict=True):
        assert_valid_event(event, reference=sia_case.received_at, window=timedelta(minutes=1))
        _check_event(event, wanted)
    if expect["reply"] == "ACK":
        ack = encode_ack(message.reply_header, key=None)
        if "reply_frame" in expect:
            assert ack == expect["reply_frame"].encode()
        if "reply_starts" in expect:
            assert ack[9:].startswith(expect["reply_starts"].encode())


def _check_event(event: EventIn, wanted: dict[str, object]) -> None:
    assert event.kind.value == wanted["kind"]
    if isinstance(event, StatusIn):
        assert event.payload.state.value == wanted["state"]
        text = event.payload.detail or ""
    else:
        payload = alarm(event).payload
        assert payload.category.value == wanted["category"]
        assert payload.code == wanted["code"]
        assert payload.zone == wanted["zone"]
        assert payload.partition == wanted["partition"]
        text = payload.text or ""
    for part in wanted.get("text_contains", []):  # type: ignore[attr-defined]
        assert part in text
    if "location" in wanted:
        if wanted["location"] is None:
            assert event.location is None
        else:
            assert event.location is not None
            lat, lon = wanted["location"]  # type: ignore[misc]
            assert event.location.lat == pytest.approx(lat, abs=1e-5)
            assert event.location.lon == pytest.approx(lon, abs=1e-5)


# -- SIA DC-03 and Contact ID data -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "category", "zone"),
    [
        ("#1234|Nri1/BA01", AlarmCategory.BURGLARY, "01"),
        ("Nri1/PA002", AlarmCategory.PANIC, "002"),
        ("NHA3", AlarmCategory.HOLD_UP, "3"),
        ("NFA129", AlarmCategory.FIRE, "129"),
        ("NMA1", AlarmCategory.MEDICAL, "1"),
        ("NTA7", AlarmCategory.TAMPER, "7"),
        ("NBR01", AlarmCategory.RESTORE, "01"),
        ("NPR01", AlarmCategory.RESTORE, "01"),
        ("NHR01", AlarmCategory.RESTORE, "01"),
        ("NFR01", AlarmCategory.RESTORE, "01"),
        ("Nri1/OP501", AlarmCategory.OPEN, None),
        ("Nri1/CL501", AlarmCategory.CLOSE, None),
        ("Nri1BA012", AlarmCategory.BURGLARY, "012"),
        ("NNL2", AlarmCategory.CLOSE, None),
        ("NL2", AlarmCategory.CLOSE, None),
        ("|Nri1/WA000", AlarmCategory.OTHER, "000"),
    ],
)
def test_sia_codes_become_alarms(data: str, category: AlarmCategory, zone: str | None) -> None:
    (event,) = decode(plain(data))
    payload = alarm(event).payload
    assert payload.category == category
    assert payload.zone == zone
    assert payload.protocol == "SIA-DCS"
    assert payload.account == "1234"


def test_sia_modifiers_carry_over_to_following_events() -> None:
    events = decode(plain("Nid3/ri2/BA01/BA02^Back door^"))
    assert [alarm(e).payload.zone for e in events] == ["01", "02"]
    assert {alarm(e).payload.partition for e in events} == {"2"}
    assert "user 3" in (alarm(events[0]).payload.text or "")
    assert "Back door" in (alarm(events[1]).payload.text or "")
    assert events[0].device_event_id != events[1].device_event_id


def test_user_codes_name_the_user_not_a_zone() -> None:
    (event,) = decode(plain("Nri1/OP501"))
    assert alarm(event).payload.zone is None
    assert "user 501" in (alarm(event).payload.text or "")


@pytest.mark.parametrize(
    ("cid", "category", "zone"),
    [
        ("1120 01 005", AlarmCategory.PANIC, "005"),
        ("3120 01 005", AlarmCategory.RESTORE, "005"),
        ("1121 01 003", AlarmCategory.DURESS, None),
        ("1122 01 001", AlarmCategory.PANIC, "001"),
        ("1123 01 001", AlarmCategory.PANIC, "001"),
        ("1130 01 012", AlarmCategory.BURGLARY, "012"),
        ("6130 01 012", AlarmCategory.BURGLARY, "012"),
        ("1137 01 004", AlarmCategory.TAMPER, "004"),
        ("1110 00 129", AlarmCategory.FIRE, "129"),
        ("1100 01 001", AlarmCategory.MEDICAL, "001"),
        ("1401 01 005", AlarmCategory.OPEN, None),
        ("3401 01 005", AlarmCategory.CLOSE, None),
        ("1302 00 000", AlarmCategory.TROUBLE, None),
        ("11300101B", AlarmCategory.BURGLARY, "01B"),
    ],
)
def test_contact_id_becomes_alarms(cid: str, category: AlarmCategory, zone: str | None) -> None:
    (event,) = decode(plain(f"#1234|{cid}", token="ADM-CID"))
    payload = alarm(event).payload
    assert payload.category == category
    assert payload.zone == zone
    assert payload.code == cid[1:4]
    assert payload.protocol == "ADM-CID"


@pytest.mark.parametrize(
    ("token", "data"), [("NULL", ""), ("SIA-DCS", "Nri0/RP0000"), ("ADM-CID", "1602 00 000")]
)
def test_link_tests_become_heartbeats(token: str, data: str) -> None:
    (event,) = decode(plain(data, token=token))
    assert isinstance(event, StatusIn)
    assert event.payload.state == DeviceState.HEARTBEAT


def test_encrypted_message_decodes() -> None:
    decoded = decode_frame(encrypted("#5678|Nri1/PA1"), accounts=ACCOUNTS, now=NOW)
    assert decoded.message.key == KEY
    assert alarm(decoded.events[0]).payload.category == AlarmCategory.PANIC


@pytest.mark.parametrize(
    ("xdata", "lat", "lon"),
    [
        (("X100.5231", "Y13.7563"), 13.7563, 100.5231),  # decimal degrees, Bangkok
        (("X-73.9857", "Y40.7484"), 40.7484, -73.9857),
        (("X100E31.386", "Y13N45.378"), 13.7563, 100.5231),  # degrees, hemisphere, minutes
        (("X012W34.1", "Y045S12.2"), -45.203333, -12.568333),
    ],
)
def test_xy_extended_data_gives_a_location(xdata: tuple[str, ...], lat: float,
                                           lon: float) -> None:
    (event,) = decode(plain("Nri1/PA1", xdata=xdata))
    assert event.location is not None
    assert event.location.lat == pytest.approx(lat, abs=1e-5)
    assert event.location.lon == pytest.approx(lon, abs=1e-5)


@pytest.mark.parametrize(
    "xdata",
    [("X100.5",), ("X200.0", "Y13.7"), ("X100.5", "Y95.0"), ("X100N30.0", "Y13N30.0"),
     ("X100E61.0", "Y13N30.0"), ("Xabc", "Ydef")],
)
def test_bad_or_half_positions_give_no_location(xdata: tuple[str, ...]) -> None:
    (event,) = decode(plain("Nri1/PA1", xdata=xdata))
    assert event.location is None


def test_other_extended_data_is_kept_as_text_but_keys_are_not() -> None:
    (event,) = decode(plain("Nri1/PA1", xdata=("IGate 3", "M0026B9E4268B", "KAAAAAAAAAAAAAAAA")))
    text = alarm(event).payload.text or ""
    assert "text=Gate 3" in text
    assert "MAC=0026B9E4268B" in text
    assert "AAAAAAAA" not in text


def test_account_from_data_when_header_has_none() -> None:
    decoded = decode_frame(plain("#1234|Nri1/BA1", account=None), accounts=ACCOUNTS, now=NOW)
    assert decoded.message.account == "1234"
    assert decoded.message.reply_header.account == "1234"


def test_header_account_wins_over_data_account() -> None:
    decoded = decode_frame(plain("#9999|Nri1/BA1"), accounts=ACCOUNTS, now=NOW)
    assert decoded.message.account == "1234"
    assert decoded.message.data_account == "9999"


def test_lower_case_account_is_looked_up_upper_case_and_echoed_as_sent() -> None:
    accounts = {"ABC12": AccountConfig()}
    decoded = decode_frame(plain("Nri1/BA1", account="abc12"), accounts=accounts, now=NOW)
    assert decoded.message.account == "ABC12"
    assert b"#abc12[" in encode_ack(decoded.message.reply_header, key=None)


# -- idempotency -----------------------------------------------------------------------


def test_a_retransmission_maps_to_the_same_ids() -> None:
    first = decode(encrypted("#5678|Nri1/BA1/BA2"))
    again = decode(encrypted("#5678|Nri1/BA1/BA2"), now=NOW + timedelta(seconds=5))
    assert [e.device_event_id for e in first] == [e.device_event_id for e in again]
    assert len({e.device_event_id for e in first}) == 2


def test_a_recycled_sequence_number_maps_to_new_ids() -> None:
    later = NOW + timedelta(days=3)
    first = decode(encrypted("#5678|Nri1/BA1", seq="0042"))
    second = decode(encrypted("#5678|Nri1/BA1", seq="0042", timestamp=later), now=later)
    assert first[0].device_event_id != second[0].device_event_id


def test_plain_messages_without_timestamp_use_the_receive_time_to_ten_minutes() -> None:
    base = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    first = decode(plain("Nri1/BA1"), now=base)
    retry = decode(plain("Nri1/BA1"), now=base + timedelta(minutes=5))
    much_later = decode(plain("Nri1/BA1"), now=base + timedelta(days=2))
    assert first[0].device_event_id == retry[0].device_event_id
    assert first[0].device_event_id != much_later[0].device_event_id
    assert first[0].event_time == base


def test_different_events_with_the_same_seq_and_time_differ() -> None:
    burglary = decode(plain("Nri1/BA1", timestamp=NOW))
    fire = decode(plain("Nri1/FA1", timestamp=NOW))
    assert burglary[0].device_event_id != fire[0].device_event_id


# -- timestamp window --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_s", "accepted"), [(-40, True), (-41, False), (20, True), (21, False), (0, True)]
)
def test_encrypted_timestamp_window(offset_s: int, accepted: bool) -> None:
    message = encrypted("#5678|Nri1/BA1", timestamp=NOW + timedelta(seconds=offset_s))
    if accepted:
        decode(message)
    else:
        with pytest.raises(MessageRejected, match="window"):
            decode(message)


def test_window_is_configurable() -> None:
    policy = DecodePolicy(max_age=timedelta(seconds=5), max_lead=timedelta(seconds=5))
    with pytest.raises(MessageRejected, match="window"):
        decode(encrypted("Nri1/BA1", timestamp=NOW - timedelta(seconds=6)), policy=policy)


def test_plain_timestamps_are_checked_only_when_asked() -> None:
    old = plain("Nri1/BA1", timestamp=NOW - timedelta(hours=2))
    (event,) = decode(old, now=NOW - timedelta(hours=2))
    assert event.event_time == NOW - timedelta(hours=2)
    assert decode_frame(old, accounts=ACCOUNTS, now=NOW).message.clock_wrong  # ACKed, flagged
    with pytest.raises(MessageRejected, match="window"):
        decode_frame(old, accounts=ACCOUNTS, now=NOW,
                     policy=DecodePolicy(check_plain_timestamps=True))


@pytest.mark.parametrize("claimed", [
    datetime(2000, 1, 1, 0, 3, 12, tzinfo=UTC),  # a panel reset after a power loss
    NOW - timedelta(days=8),  # a dead clock: older than the intake takes
    NOW - timedelta(seconds=41),  # just outside the DC-09 window
    NOW + timedelta(minutes=6),  # a few minutes ahead: past the intake's 5 minutes
    datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
])
def test_plain_message_with_a_wrong_clock_takes_the_receiver_time(claimed: datetime) -> None:
    frame_bytes = plain("#1234|Nri1/PA01", seq="0007", timestamp=claimed)
    decoded = decode_frame(frame_bytes, accounts=ACCOUNTS, now=NOW)
    assert decoded.message.clock_wrong
    assert decoded.message.timestamp == claimed  # the panel's claim is kept...
    (event,) = decode(frame_bytes)
    assert event.event_time == NOW  # ...but the event happened when it reached us
    assert f"panel clock wrong: it sent {claimed:%Y-%m-%d %H:%M:%S} UTC" in (
        alarm(event).payload.text or "")
    retry = decode(frame_bytes, now=NOW + timedelta(seconds=30))  # same message again
    assert retry[0].device_event_id == event.device_event_id


def test_encrypted_message_with_a_wrong_clock_is_still_refused() -> None:
    with pytest.raises(MessageRejected, match="window"):
        decode(encrypted("#5678|Nri1/PA01", timestamp=datetime(2000, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize("seq", ["000A", "00ff", "FFFF", "0009"])
def test_hex_sequence_numbers_are_accepted_and_echoed_as_received(seq: str) -> None:
    body = f'"SIA-DCS"{seq}L0#1234[#1234|Nri1/PA01]'.encode()
    message = decode_frame(frame(body), accounts=ACCOUNTS, now=NOW).message
    assert message.header.seq == seq
    assert encode_ack(message.reply_header, key=None) == frame(
        f'"ACK"{seq}L0#1234[]'.encode())


def test_a_frame_without_line_field_is_line_0() -> None:
    body = b'"SIA-DCS"0010R2#1234[#1234|Nri1/PA01]'
    message = decode_frame(frame(body), accounts=ACCOUNTS, now=NOW).message
    assert (message.header.receiver, message.header.line) == ("2", "0")
    assert encode_ack(message.reply_header, key=None) == frame(b'"ACK"0010R2L0#1234[]')
    encrypted_body = (b'"*SIA-DCS"0011#5678['
                      + encrypt_content(KEY, f"Nri1/PA01]_{NOW:%H:%M:%S,%m-%d-%Y}".encode(),
                                        lambda n: b"x" * n).encode())
    message = decode_frame(frame(encrypted_body), accounts=ACCOUNTS, now=NOW).message
    assert message.header.line == "0" and message.key == KEY


# -- refusals --------------------------------------------------------------------------


def test_unknown_account_is_rejected() -> None:
    with pytest.raises(MessageRejected, match="unknown account"):
        decode(plain("Nri1/BA1", account="9999"))


def test_wrong_key_is_rejected() -> None:
    with pytest.raises(MessageRejected):
        decode(encrypted("#5678|Nri1/BA1", key=OTHER_KEY))


def test_encrypted_message_for_an_account_without_key_is_rejected() -> None:
    with pytest.raises(MessageRejected, match="without a key"):
        decode(encrypted("Nri1/BA1", account="1234"))


def test_plain_message_for_an_account_with_a_key_is_rejected() -> None:
    with pytest.raises(MessageRejected, match="has a key"):
        decode(plain("Nri1/BA1", account="5678"))


def test_encrypted_message_without_timestamp_is_rejected() -> None:
    block = encrypt_content(KEY, b"#5678|Nri1/BA1]")
    with pytest.raises(MessageRejected, match="timestamp"):
        decode(frame(f'"*SIA-DCS"0001L0#5678[{block}'.encode()))


@pytest.mark.parametrize(
    "body",
    [
        b'"SIA-DCS"01L0#1234[Nri1/BA1]',  # short sequence
        b'"SIA-DCS"00G1L0#1234[Nri1/BA1]',  # sequence not hex
        b'"SIA-DCS"0001L#1234[Nri1/BA1]',  # line letter without a number
        b'"SIA-DCS"0001L0#1234Nri1/BA1]',  # no "["
        b'"SIA-DCS"0001L0#1234[Nri1/BA1',  # no "]"
        b'"SIA-DCS"0001L0#1234[Nri1/BA1]_12:00:00,13-01-2026',  # month 13
        b'"SIA-DCS"0001L0#1234[Nri1/BA1]_12:00:00,01-01-201',  # 3-digit year
        b'"SIA-DCS"0001L0[Nri1/BA1]',  # no account anywhere
        b'"*SIA-DCS"0001L0#5678[NOTHEX]',
        b'"*SIA-DCS"0001L0[00112233445566778899AABBCCDDEEFF]',  # encrypted, no clear account
    ],
)
def test_malformed_messages_are_rejected(body: bytes) -> None:
    with pytest.raises(MessageRejected):
        decode(frame(body))


@pytest.mark.parametrize(
    ("token", "data"),
    [
        ("SIA-DCS", "Nri1/ZX1"),  # unknown SIA code
        ("SIA-DCS", "Nri1"),  # modifiers, no event
        ("SIA-DCS", "something else"),
        ("ADM-CID", "1999 01 001"),  # unknown Contact ID event
        ("ADM-CID", "2130 01 001"),  # unknown qualifier
        ("ADM-CID", "1130"),
        ("DC-04", "Nri1/BA1"),  # unknown token
    ],
)
def test_messages_the_receiver_cannot_act_on_are_not_understood(token: str, data: str) -> None:
    with pytest.raises(MessageNotUnderstood) as caught:
        decode(plain(data, token=token, seq="0042", receiver="12"))
    assert caught.value.header is not None
    assert encode_duh(caught.value.header)[9:] == b'"DUH"0042R12L0#1234[]\r'
