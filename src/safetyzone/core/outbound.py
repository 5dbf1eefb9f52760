"""Where the server may fetch from: the one outbound-address policy (the SSRF guard).

The server fetches camera pictures from addresses people type in. Without a guard, whoever
may set such an address can make the server read its own loopback services, a cloud's
metadata endpoint (169.254.169.254) or any host it can reach, and read the answer back.

Two checks, one rule:

* :func:`camera_url_problem` when an address is *set*: scheme, no user-info, a plain host
  (no ``2130706433`` or ``0x7f.1`` spellings of an IP), no IP literal that is never allowed.
  It cannot know where a host name points, so it only catches what is visible in the text.
* :meth:`OutboundPolicy.pin` when an address is *fetched*: resolve the host, refuse it when
  ANY of its addresses is refused, and hand back the checked IP so the caller connects to
  exactly that IP (a second DNS answer, "rebinding", never gets a chance). This is the real
  guard; the first only gives an early, clear error.

Refused always: unspecified, link-local, multicast, reserved and broadcast addresses, and the
known metadata endpoints (also those inside private ranges, e.g. ``fd00:ec2::254``). Refused
unless inside a configured network: everything else, loopback included, so only a test that
lists ``127.0.0.0/8`` on purpose reaches a local server. IPv4 inside IPv6 (``::ffff:a.b.c.d``,
NAT64 ``64:ff9b::a.b.c.d``, 6to4) is judged by the IPv4 address it carries.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from safetyzone.core.errors import SafetyZoneError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

# Where cameras live: the private ranges (RFC 1918), carrier-grade NAT and IPv6 ULA.
DEFAULT_CAMERA_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                           "fc00::/7")
CAMERA_URL_SCHEMES = frozenset({"http", "https", "rtsp", "rtsps", "sim"})
# Cloud and hosting metadata endpoints; some sit inside ranges a station may allow.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16",
    "192.0.0.192"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
                        r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$", re.IGNORECASE)
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class AddressRefused(SafetyZoneError):
    """The host is, or resolves to, an address the server must not fetch from."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, code="address-refused")


def parse_networks(values: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """CIDR strings as networks; host bits set (``10.1.2.3/8``) is an error, not a guess."""
    return tuple(v if isinstance(v, ipaddress.IPv4Network | ipaddress.IPv6Network)
                 else ipaddress.ip_network(v.strip()) for v in values)


def embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else ``ip`` itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def never_allowed(ip: IPAddress) -> str | None:
    """Why ``ip`` is refused whatever the configured networks say, or None."""
    ip = embedded_ipv4(ip)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for refused, what in ((ip.is_unspecified, "the unspecified address"),
                          (ip.is_link_local, "a link-local address"),
                          (ip.is_multicast, "a multicast address"),
                          (ip.is_reserved and not ip.is_loopback, "a reserved address"),
                          (ip == ipaddress.IPv4Address("255.255.255.255"), "broadcast")):
        if refused:
            return what
    return None


@dataclass(frozen=True)
class OutboundPolicy:
    """The networks the server may fetch camera pictures from, and the check itself."""

    networks: tuple[IPNetwork, ...]

    def refusal(self, ip: IPAddress) -> str | None:
        """Why the server must not connect to ``ip``, or None when it may."""
        reason = never_allowed(ip)
        if reason is not None:
            return reason
        plain = embedded_ipv4(ip)
        if any(plain in net for net in self.networks if net.version == plain.version):
            return None
        if plain.is_loopback:
            return "a loopback address"
        return "outside the configured camera networks"

    async def pin(self, host: str, port: int, resolve: Resolver | None = None) -> IPAddress:
        """The one checked IP to connect to for ``host``; :class:`AddressRefused` otherwise.

        Every address the name resolves to must pass: a name that points both at a camera
        and at 127.0.0.1 is refused, so the order of DNS answers cannot matter.
        """
        literal = ip_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            addresses = await (resolve or system_resolve)(host, port)
            if not addresses:
                raise AddressRefused(f"refused {host}: it resolves to no address")
        for ip in addresses:
            reason = self.refusal(ip)
            if reason is not None:
                shown = host if literal is not None else f"{host} ({ip})"
                raise AddressRefused(f"refused {shown}: {reason}")
        return addresses[0]


def ip_literal(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is written as one (``[::1]`` too), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """The host's addresses from the system resolver, in its order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    return out


def camera_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a camera address, or None; checks the text only, no DNS."""
    if _UNSAFE_CHARS.search(url):
        return "the address contains spaces, control characters or backslashes"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in CAMERA_URL_SCHEMES or not url[len(scheme):].startswith("://"):
        return f"the address must start with one of: {', '.join(sorted(CAMERA_URL_SCHEMES))}://"
    if scheme == "sim":
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "the address is not a valid URL (check the host and port)"
    if "@" in parts.netloc:
        return ("user names and passwords do not belong in the address: use the stream "
                "username and password fields")
    host = parts.hostname or ""
    if not host:
        return "the address has no host"
    literal = ip_literal(host)
    if literal is None and _NUMERIC_HOST.match(host):
        literal = _dotted_quad(host)
        if literal is None:
            return f"write the IP address as four decimal numbers (a.b.c.d), not '{host}'"
    if literal is not None:
        reason = never_allowed(literal)
        return f"{host} is {reason}; cameras are never fetched from there" if reason else None
    if not _HOST_NAME.match(host):
        return f"'{host}' is not a valid host name"
    return None


def _dotted_quad(host: str) -> IPAddress | None:
    """A canonical a.b.c.d (no leading zeros, no short or hex forms), else None."""
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        return None
