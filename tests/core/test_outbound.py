"""The outbound-address policy on its own: which addresses are refused, how every spelling
of an IP is judged, and that a host is refused when any of its addresses is."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from safetyzone.core.outbound import (
    DEFAULT_CAMERA_NETWORKS,
    AddressRefused,
    IPAddress,
    OutboundPolicy,
    camera_url_problem,
    parse_networks,
)

DEFAULT = OutboundPolicy(parse_networks(DEFAULT_CAMERA_NETWORKS))
WITH_LOOPBACK = OutboundPolicy(parse_networks([*DEFAULT_CAMERA_NETWORKS, "127.0.0.0/8"]))


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),  # noqa: S104 - refused, not bound
    ("169.254.169.254", "metadata"), ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "metadata"),
    ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"), ("8.8.8.8", "outside"), ("203.0.113.7", "outside"),
    ("2001:db8::1", "outside"), ("172.32.0.1", "outside"),
])
def test_refused_addresses(address: str, reason: str) -> None:
    refusal = DEFAULT.refusal(ipaddress.ip_address(address))
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "172.31.255.254",
                                     "192.168.1.64", "100.64.0.1", "fd12:3456::1",
                                     "::ffff:192.168.1.64"])
def test_camera_networks_are_allowed(address: str) -> None:
    assert DEFAULT.refusal(ipaddress.ip_address(address)) is None


def test_loopback_only_when_listed_and_metadata_never() -> None:
    assert WITH_LOOPBACK.refusal(ipaddress.ip_address("127.0.0.1")) is None
    everything = OutboundPolicy(parse_networks(["0.0.0.0/0", "::/0"]))
    never = ("169.254.169.254", "fd00:ec2::254", "0.0.0.0", "224.0.0.1", "fe80::1")  # noqa: S104
    for address in never:
        assert everything.refusal(ipaddress.ip_address(address)) is not None, address


def test_a_host_is_refused_when_any_address_is_and_pinned_to_a_checked_one() -> None:
    answers = {"mixed.test": ["10.0.0.5", "127.0.0.1"], "cam.test": ["10.0.0.5", "10.0.0.6"],
               "none.test": []}

    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in answers[host]]

    async def run() -> None:
        assert str(await DEFAULT.pin("cam.test", 80, resolve)) == "10.0.0.5"
        assert str(await DEFAULT.pin("10.9.9.9", 80, resolve)) == "10.9.9.9"  # no DNS
        for host in ("mixed.test", "none.test", "127.0.0.1", "[::1]"):
            with pytest.raises(AddressRefused, match="refused"):
                await DEFAULT.pin(host, 80, resolve)

    asyncio.run(run())


@pytest.mark.parametrize("url", [
    "http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/", "http://0177.0.0.1/",
    "http://017700000001/", "http://169.254.169.254/", "http://[::ffff:a9fe:a9fe]/",
    "http://0.0.0.0:80/", "http://user:pw@10.0.0.1/", "http://10.0.0.1@evil.example/",
    "http://cam.example\\@127.0.0.1/", "http://cam example/", "ftp://10.0.0.1/",
    "javascript:alert(1)", "http:///nohost", "http://10.0.0.1:99999/", "http://[fe80::1]/",
    "http://exa_mple..com/", "HTTP//10.0.0.1/", "",
])
def test_camera_url_problems(url: str) -> None:
    assert camera_url_problem(url) is not None


@pytest.mark.parametrize("url", [
    "http://10.0.0.5/cgi-bin/snapshot.cgi?chn=1", "https://cam-01.station.local:8443/snap.jpg",
    "rtsp://10.0.0.5:554/Streaming/Channels/101", "rtsps://[fd12::5]/live", "sim://cam-1",
    "HTTP://192.168.1.64/ISAPI/Streaming/channels/101/picture",
])
def test_camera_urls_that_are_fine(url: str) -> None:
    assert camera_url_problem(url) is None
