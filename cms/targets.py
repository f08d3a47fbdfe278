"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses.

Loopback, private (RFC 1918, unique local), link-local (cloud metadata at 169.254.169.254),
unspecified, multicast, reserved and any other non-global addresses (the shared 100.64.0.0/10)
are refused unless the operator allows them (CMS_WEBHOOK_ALLOW_PRIVATE, for a receiver on the
same machine or network). The host is checked when the webhook is saved and again before each
delivery, since DNS answers change.

A delivery connects to the addresses its check resolved (`pinned`), not to what a second lookup
would answer: otherwise a name could answer a public address to the check and a private one to
the connection a moment later (DNS rebinding). The request still names the host (Host header,
TLS server name and certificate check), so the receiver sees no difference.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from anyio import to_thread

URL_MAX = 1000


class TargetRefused(ValueError):
    """A webhook URL that may not be called."""


def check_url_form(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL without credentials; TargetRefused otherwise."""
    if len(url) > URL_MAX:
        raise TargetRefused(f"The URL is longer than {URL_MAX} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("The URL cannot be read.") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetRefused("The URL must be http:// or https:// with a host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("The URL may not hold credentials; sign with the secret instead.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "reserved"
    if not address.is_global:  # e.g. 100.64.0.0/10, where one cloud keeps its metadata service
        return "non-public"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """The host's addresses in the resolver's order of preference, each once."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise TargetRefused(f"The host {host!r} does not resolve ({error}).") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(host: str) -> str | None:
    """The address a host written as an IP literal names, or None for a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _check_addresses(host: str, addresses: list[str]) -> None:
    for text in addresses:
        why = _refused(ipaddress.ip_address(text.split("%", 1)[0]))
        if why is not None:
            raise TargetRefused(
                f"The host {host!r} is a {why} address ({text}); webhooks may only call public "
                "addresses unless the operator allows others (CMS_WEBHOOK_ALLOW_PRIVATE)."
            )


@dataclass(frozen=True)
class Target:
    """A checked webhook URL and the addresses to connect to, in order of preference."""

    url: str
    host: str
    port: int
    addresses: list[str]


async def pinned(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host once and check every address; a delivery connects only to these.

    With the operator's allowance nothing is refused, but the lookup is still the only one.
    """
    host, port = check_url_form(url)
    literal = _literal(host)
    addresses = [literal] if literal else await to_thread.run_sync(_resolve, host, port)
    if not allow_private:
        _check_addresses(host, addresses)
    return Target(url=url, host=host, port=port, addresses=addresses)


async def check_target(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host is, or resolves to, an address that is not public."""
    check_url_form(url)
    if not allow_private:
        await pinned(url, allow_private=False)
