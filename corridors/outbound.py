"""Where the gateway may send requests: the one rule for webhook and partner URLs.

Callers choose these URLs (a sending app its webhook, an operator a partner's API), and the
gateway then POSTs signed requests there. Without a rule a caller could make the gateway reach
inside its own network (a database port, a cloud metadata service at 169.254.169.254). So an
address must be public: loopback, link-local, private, shared, reserved, multicast and
unspecified addresses are refused, IPv4-mapped IPv6 judged as the IPv4 address it maps. Only
`https` is allowed unless the development switch is on.

The rule runs three times: on the URL as written (scheme, literal address), on every address
its name resolves to when the URL is registered, and on the address of every socket the
gateway opens (an aiohttp socket factory), so a name that later resolves inside (DNS
rebinding), a redirect or a URL stored before the rule existed is refused at delivery time too.
Networks an operator really means to reach (a partner over a private link, the simulator on
127.0.0.1 in development) are listed in `allow`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RESOLVE_TIMEOUT_S = 3.0


class RefusedAddress(OSError):
    """Raised from the socket factory: the connection is never opened."""


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    """`127.0.0.1, 10.20.0.0/16, ::1` -> networks; a bad entry raises ValueError."""
    items = text.split(",") if isinstance(text, str) else text
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _internal(ip: Address) -> str | None:
    """Why an address is inside (None when it is a public unicast address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    ):
        if flag:
            return kind
    return None


@dataclass(frozen=True)
class OutboundRule:
    """`allow_http`: plain http too (development only). `allow`: networks reachable even
    though they are inside (REMIT_OUTBOUND_ALLOW)."""

    allow_http: bool = False
    allow: tuple[Network, ...] = ()

    @classmethod
    def development(cls) -> OutboundRule:
        """Tests and `remit demo`: the simulator on this machine, over http."""
        return cls(allow_http=True, allow=parse_networks("127.0.0.0/8,::1"))

    def inside(self, address: str | Address) -> str | None:
        """Why the address may not be reached (None: it may)."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if any(ip in net for net in self.allow if ip.version == net.version):
            return None
        return _internal(ip)

    def address_refusal(self, address: str | Address) -> str | None:
        why = self.inside(address)
        return None if why is None else f"{address} is not a public address ({why})"

    def url_refusal(self, url: str) -> str | None:
        """The URL as written: scheme, host, and its address when the host is one."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            return "url is not a valid URL"
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parts.scheme not in schemes:
            return f"url must use {' or '.join(schemes)}"
        if not parts.hostname:
            return "url has no host"
        if parts.username or parts.password:
            return "url must not carry credentials"
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return None
        return self.address_refusal(literal)


class PolicedSocketFactory:
    """aiohttp's `socket_factory`: every connection attempt, to whatever address the name
    resolved to at that moment, passes the rule before the socket exists."""

    def __init__(self, rule: OutboundRule) -> None:
        self.rule = rule

    def __call__(self, addr_info: tuple[Any, ...]) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        refusal = self.rule.address_refusal(sockaddr[0])
        if refusal is not None:
            raise RefusedAddress(f"outbound connection refused: {refusal}")
        return socket.socket(family=family, type=type_, proto=proto)


@dataclass
class Outbound:
    """The rule with the resolver the gateway uses (a test passes its own DNS)."""

    rule: OutboundRule = field(default_factory=OutboundRule)
    resolver: AbstractResolver | None = None

    def url_refusal(self, url: str) -> str | None:
        return self.rule.url_refusal(url)

    async def resolved_refusal(self, url: str) -> str | None:
        """The URL as written, then every address its host resolves to now. A name that does
        not resolve yet is not refused here: every connection is checked when it is made."""
        refusal = self.rule.url_refusal(url)
        if refusal is not None:
            return refusal
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = await asyncio.wait_for(self._resolve(host, port), RESOLVE_TIMEOUT_S)
        except (OSError, TimeoutError):
            return None
        for address in addresses:
            why = self.rule.inside(address)
            if why is not None:
                return f"url's host {host} resolves to {address}, not a public address ({why})"
        return None

    async def _resolve(self, host: str, port: int) -> list[str]:
        if self.resolver is not None:
            return [r["host"] for r in await self.resolver.resolve(host, port)]
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return [info[4][0] for info in infos]

    def connector(self) -> aiohttp.TCPConnector:
        return aiohttp.TCPConnector(
            resolver=self.resolver, socket_factory=PolicedSocketFactory(self.rule)
        )

    def session(self, **kwargs: Any) -> aiohttp.ClientSession:
        """A client session whose every connection obeys the rule."""
        return aiohttp.ClientSession(connector=self.connector(), **kwargs)
