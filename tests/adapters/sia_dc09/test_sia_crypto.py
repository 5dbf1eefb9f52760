"""AES-CBC against NIST SP 800-38A, DC-09 blocks against published frames, and the key rule."""

from __future__ import annotations

import pytest

from safetyzone.adapters.sia_dc09.crypto import (
    PAD_FORBIDDEN,
    DecryptionError,
    KeyFormatError,
    _cbc,
    decrypt_block,
    encrypt_content,
    parse_key,
    random_pad,
    strip_pad,
)

# NIST SP 800-38A, appendix F.2.1 / F.2.3 / F.2.5 (CBC-AES128/192/256.Encrypt).
NIST_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
NIST_PLAIN = bytes.fromhex(
    "6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710"
)
NIST_CBC = [
    (
        "2b7e151628aed2a6abf7158809cf4f3c",
        "7649abac8119b246cee98e9b12e9197d" "5086cb9b507219ee95db113a917678b2"
        "73bed6b8e3c1743b7116e69e22229516" "3ff1caa1681fac09120eca307586e1a7",
    ),
    (
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "4f021db243bc633d7178183a9fa071e8" "b4d9ada9ad7dedf4e5e738763f69145a"
        "571b242012fb7ae07fa9baac3df102e0" "08b0e27988598881d920a9e64f5615cd",
    ),
    (
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6" "9cfc4e967edb808d679f777bc6702c7d"
        "39f23369a9d9bacfa530e26304231461" "b2eb05e2c39be9fcda6c19078c6a9d1b",
    ),
]

# Swissdotnet SIA-DC-09 Library, ParsingStandardTest: frames with their key and pad.
ABCD = bytes.fromhex("ABCDABCDABCDABCDABCDABCDABCDABCD")
PUBLISHED_BLOCKS = [
    (  # parsePollingCipheredStandard
        "70D7DC480FA7DC0DE428CE02447BA2E2981A161EA14CB780D2CD917208059E11",
        bytes.fromhex("4cf8588f492eea78cfae") + b"|]_13:43:09,06-22-2015",
    ),
    (  # parseEventStandardCiphered1
        "A054F111518361720BAB126501C6D994CD9151D2C84881C0FEA933A0790F49A9"
        "236EBD45F2AED32FAA252EB1AA18FC3CDEDE2452F33185E5931D31308D9B9882",
        bytes.fromhex("9a10d286c038468952f7ac09")
        + b"|#080027E62A64|NHB0003][E115000]_15:12:40,06-22-2015",
    ),
]


@pytest.mark.parametrize(("key_hex", "cipher_hex"), NIST_CBC, ids=["aes128", "aes192", "aes256"])
def test_cbc_matches_nist_sp800_38a(key_hex: str, cipher_hex: str) -> None:
    key = bytes.fromhex(key_hex)
    assert _cbc(key, NIST_IV, NIST_PLAIN, encrypt=True).hex() == cipher_hex
    assert _cbc(key, NIST_IV, bytes.fromhex(cipher_hex), encrypt=False) == NIST_PLAIN


@pytest.mark.parametrize(("hex_text", "plaintext"), PUBLISHED_BLOCKS, ids=["null", "sia-dcs"])
def test_published_blocks_decrypt_and_re_encrypt(hex_text: str, plaintext: bytes) -> None:
    assert decrypt_block(ABCD, hex_text) == plaintext
    pad, content = plaintext.split(b"|", 1)
    assert encrypt_content(ABCD, content, lambda n: pad[:n]) == hex_text


@pytest.mark.parametrize("key_len", [16, 24, 32])
@pytest.mark.parametrize("content_len", [0, 1, 14, 15, 16, 17, 31, 100])
def test_round_trip_for_every_key_size_and_pad_length(key_len: int, content_len: int) -> None:
    key = bytes(range(key_len))
    content = (b"]_12:00:00,01-01-2026" + b"x" * content_len)[: max(content_len, 1)]
    block = encrypt_content(key, content)
    plaintext = decrypt_block(key, block)
    assert len(plaintext) % 16 == 0
    assert strip_pad(plaintext) == content


def test_random_pad_never_holds_a_delimiter() -> None:
    pad = random_pad(4096)
    assert len(pad) == 4096
    assert not PAD_FORBIDDEN.intersection(pad)


def test_pad_source_with_a_delimiter_is_refused() -> None:
    with pytest.raises(ValueError, match="forbidden"):
        encrypt_content(ABCD, b"]", lambda n: b"|" * n)


def test_strip_pad_accepts_a_null_with_no_pipe() -> None:
    assert strip_pad(b"ppppppppppp]_18:24:52,07-05-2020") == b"]_18:24:52,07-05-2020"


@pytest.mark.parametrize("plaintext", [b"", b"no delimiter at all", b"pad[|]"])
def test_strip_pad_refuses_blocks_without_an_end_of_pad(plaintext: bytes) -> None:
    with pytest.raises(DecryptionError):
        strip_pad(plaintext)


@pytest.mark.parametrize(
    "hex_text", ["", "ABC", "ZZ" * 16, "00" * 15, "00" * 17, "00" * 0x1000],
    ids=["empty", "odd", "not-hex", "short-block", "partial-block", "too-long"],
)
def test_decrypt_refuses_what_cannot_be_a_block(hex_text: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_block(ABCD, hex_text)


@pytest.mark.parametrize(
    ("text", "key_format", "expected"),
    [
        ("AAAAAAAAAAAAAAAA", "auto", b"A" * 16),  # 16 chars: only ASCII is possible
        ("0123456789ABCDEF01234567", "auto", b"0123456789ABCDEF01234567"),
        ("ABCDABCDABCDABCDABCDABCDABCDABCD", "auto", ABCD),  # 32 hex digits: hex
        ("abcdabcdabcdabcdabcdabcdabcdabcd", "auto", ABCD),
        ("32888888888888888888888888888888", "ascii", b"32888888888888888888888888888888"),
        ("Secret-Key-Of-32-Characters!!!!!", "auto", b"Secret-Key-Of-32-Characters!!!!!"),
        ("00" * 24, "auto", bytes(24)),
        ("00" * 32, "hex", bytes(32)),
    ],
)
def test_key_rule(text: str, key_format: str, expected: bytes) -> None:
    assert parse_key(text, key_format) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "key_format"),
    [
        ("158888888888888", "auto"),  # 15 characters
        ("ZZ" * 16, "hex"),
        ("00" * 8, "hex"),  # 64-bit: not an AES key
        ("short", "ascii"),
        ("caf\u00e9" * 4, "ascii"),  # not ASCII
        ("", "auto"),
    ],
)
def test_bad_keys_are_refused(text: str, key_format: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_key(text, key_format)  # type: ignore[arg-type]
