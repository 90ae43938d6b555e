"""Where a webhook may be sent: public addresses only, checked at subscribe and at send.

A URL that resolves to loopback, private, link-local, multicast or reserved space would
let anyone with an account make the server call into its own network (SSRF). The check
runs again before every attempt because DNS can change, and the request is then pinned
to the address that was checked, so a second lookup can't swap in another one. An IPv6
address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64, Teredo) is judged by the
IPv4 address it carries: `[2002:7f00:1::]` is 127.0.0.1 by another name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnsafeTarget(Exception):
    """The URL may not receive webhooks; str(exc) says why, in plain words."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Target:
    """Where to connect for a URL: `address` is the checked IP to pin, or None (no check)."""

    url: str
    host: str
    address: str | None


# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (IPv4-mapped, 6to4, NAT64, Teredo's
    server and client), or [] when it carries none. Traffic to such an address ends at
    the IPv4 one, so that one must be public; a Teredo address must have both public."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip in NAT64_PREFIX:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.teredo is not None:
        return list(ip.teredo)
    return []


def non_public_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address) and (carried := carried_ipv4(ip)):
        kinds = [_address_kind(v4) for v4 in carried]
        return next((kind for kind in kinds if kind is not None), None)
    return _address_kind(ip)


def _address_kind(ip: IPAddress) -> str | None:
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for kind, matches in checks:
        if matches:
            return kind
    return None if ip.is_global else "non-public"


async def resolve_target(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> Target:
    """Check the URL; UnsafeTarget if it must not be called."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeTarget(f"{url!r} is not a valid URL.") from exc
    if parsed.scheme not in ("http", "https"):
        raise UnsafeTarget("Only http:// and https:// URLs can receive webhooks.")
    host = parsed.host
    if not host:
        raise UnsafeTarget("The URL has no host.")
    if allow_private:
        return Target(url=url, host=host, address=None)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(a) for a in await resolver(host, port)]
        except (OSError, ValueError) as exc:
            raise UnsafeTarget(f"{host} could not be resolved.") from exc
        if not addresses:
            raise UnsafeTarget(f"{host} could not be resolved.")
    for address in addresses:
        kind = non_public_kind(address)
        if kind is not None:
            where = f"{address}" if literal is not None else f"{host} resolves to {address}, which"
            raise UnsafeTarget(
                f"{where} is a {kind} address: webhooks only go to public addresses."
            )
    return Target(url=url, host=host, address=str(addresses[0]))


def pinned_request(
    client: httpx.AsyncClient, target: Target, body: bytes, headers: dict[str, str]
) -> httpx.Request:
    """A POST to the checked address, still presenting the original host (Host, TLS SNI)."""
    import httpx  # already imported by whoever made the client

    url = httpx.URL(target.url)
    if target.address is None or target.address == target.host:
        return client.build_request("POST", url, content=body, headers=headers)
    extensions = {"sni_hostname": target.host} if url.scheme == "https" else {}
    return client.build_request(
        "POST",
        url.copy_with(host=target.address),
        content=body,
        headers={**headers, "Host": url.netloc.decode("ascii")},
        extensions=extensions,
    )
