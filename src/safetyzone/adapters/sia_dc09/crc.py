"""The DC-09 frame check: CRC-16/ARC (poly 0x8005 reflected as 0xA001, init 0, no final XOR).

It covers the span from the first ``"`` of the frame up to, not including, the ``<CR>``.
Check value: ``crc16("123456789") == 0xBB3D`` (the CRC catalogue's ARC entry).
"""

from __future__ import annotations


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc16(data: bytes) -> int:
    """Return the CRC-16/ARC of ``data``."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def crc16_hex(data: bytes) -> str:
    """Return the CRC as the four upper-case hex digits a frame carries."""
    return f"{crc16(data):04X}"
