"""Which network addresses outgoing requests to user-supplied URLs (webhooks) may reach.

A webhook URL is typed by an admin, but the service sends to it from inside the network: left
unchecked it reaches the database port, the cloud metadata service or anything on loopback,
and the delivery log tells which of them answered. So a URL's host is resolved and every
address it resolves to is checked, when the URL is saved and again before each delivery (DNS
can change in between); the delivery then connects to the address that was checked.

Never allowed: loopback, link-local (169.254.0.0/16 holds the metadata services), unspecified,
multicast, reserved, and the metadata host names. Private ranges (RFC 1918, unique local,
shared address space) are refused too, unless an operator lists them in
``REIMBURSE_WEBHOOK_ALLOWED_NETWORKS``; a listed network is allowed whatever its kind (tests list
127.0.0.1/32 for their local receiver).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reimburse.core.errors import ReimburseError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
# ranges Python's ipaddress does not call private but that reach inside a network
_INTERNAL = tuple(ipaddress.ip_network(n) for n in ("100.64.0.0/10", "fd00:ec2::/32", "192.0.0.0/24"))


class TargetNotAllowed(ReimburseError):
    code = "target_not_allowed"
    status = 422


def parse_networks(text: str | None) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 192.168.5.0/24"`` as networks; a bad entry is an error (fail closed)."""
    if not text:
        return ()
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _refusal(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refusal(address.ipv4_mapped)
    if address.is_loopback or address.is_unspecified or address.is_link_local:
        return "a loopback, link-local or unspecified address"
    if address.is_multicast or address.is_reserved:
        return "a multicast or reserved address"
    if address.is_private or any(address in net for net in _INTERNAL):
        return "a private address (list its network in REIMBURSE_WEBHOOK_ALLOWED_NETWORKS to allow it)"
    if not address.is_global:
        return "an address that is not publicly routable"
    return None


def check_address(address: str, allowed: Sequence[Network]) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if any(ip.version == net.version and ip in net for net in allowed):
        return ip
    reason = _refusal(ip)
    if reason is not None:
        raise TargetNotAllowed(f"the URL's host resolves to {reason}")
    return ip


def check_url(url: str, allowed: Sequence[Network], resolve: Resolver = system_resolver) -> list[IPAddress]:
    """The addresses ``url`` may be reached at (all of them checked), or TargetNotAllowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetNotAllowed("a webhook URL is http(s)://host[:port]/path")
    if parts.username or parts.password:
        raise TargetNotAllowed("a webhook URL carries no user name or password")
    host = parts.hostname.rstrip(".").lower()
    if host in METADATA_HOSTS or host.endswith(".internal") or host == "localhost":
        raise TargetNotAllowed("the URL's host is an internal or metadata host name")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetNotAllowed("the URL's port is not valid") from exc
    try:
        # a literal address is checked as written; 2130706433 or 0x7f.1 are resolved by
        # getaddrinfo like the HTTP client would, so they are caught as the loopback they are
        addresses = [ipaddress.ip_address(host).compressed] if _is_literal(host) else resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise TargetNotAllowed("the URL's host name does not resolve") from exc
    if not addresses:
        raise TargetNotAllowed("the URL's host name does not resolve")
    return [check_address(a, allowed) for a in _unique(addresses)]


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class PinnedRequest:
    """A URL rewritten to a checked address; the original host goes in ``Host`` and, for
    https, in the TLS server name (so the certificate is still checked against it)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def pinned_request(
    url: str, allowed: Sequence[Network], resolve: Resolver = system_resolver
) -> PinnedRequest:
    """Check ``url`` now and pin the request to the first checked address: a DNS answer that
    changes between the check and the connection cannot redirect it (DNS rebinding)."""
    address = check_url(url, allowed, resolve)[0]
    parts = urlsplit(url)
    host = f"[{address.compressed}]" if address.version == 6 else address.compressed
    netloc = f"{host}:{parts.port}" if parts.port else host
    original = parts.hostname or ""
    host_header = f"[{original}]" if ":" in original else original
    if parts.port:
        host_header += f":{parts.port}"
    extensions: dict[str, Any] = {"sni_hostname": original} if parts.scheme == "https" else {}
    return PinnedRequest(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        headers={"Host": host_header},
        extensions=extensions,
    )
