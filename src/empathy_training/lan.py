"""The address phones in the room use to reach this machine, found without sending a packet."""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: An address no network uses (TEST-NET-2, RFC 5737). "Connecting" a UDP socket to it sends
#: nothing; the kernel only picks the interface its route leaves by: the default route's.
ROUTE_PROBE = "198.51.100.1"
#: Interfaces that phones in the room do not reach: containers, virtual machines, tunnels.
VIRTUAL_PREFIXES = ("docker", "br-", "virbr", "veth", "lxc", "vbox", "vmnet", "tun", "tap", "wg")
# Linux ioctl that reads an interface's IPv4 address.
_SIOCGIFADDR = 0x8915


@dataclass(frozen=True)
class LanAddress:
    """Where other machines reach this one, and how that was decided."""

    address: str | None
    """The best IPv4 address for the room, or None when the machine has only loopback."""
    source: str
    """'default route', 'interface', or 'none'."""
    others: tuple[str, ...] = ()
    """Other usable addresses of this machine, best first (a second network, say)."""


def route_address(probe: str = ROUTE_PROBE) -> str | None:
    """The local address of the route to `probe` (the default route), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((probe, 9))
            return str(sock.getsockname()[0])
        except OSError:
            return None


def interface_addresses() -> list[tuple[str, str]]:
    """(interface, IPv4 address) of this machine: every interface on Linux, else the host name's."""
    found: list[tuple[str, str]] = []
    if sys.platform.startswith("linux"):
        import fcntl

        for _, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                try:
                    request = struct.pack("256s", name.encode()[:15])
                    reply = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
                except OSError:
                    continue  # no IPv4 address on this interface
            found.append((name, socket.inet_ntoa(reply[20:24])))
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    found.extend(("", str(info[4][0])) for info in infos)
    return found


def usable(address: str) -> bool:
    """Whether another machine could use this address: not loopback, unspecified or multicast."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_multicast)


def _rank(entry: tuple[str, str]) -> tuple[int, int]:
    name, address = entry
    virtual = name.startswith(VIRTUAL_PREFIXES)
    return (int(virtual), int(ipaddress.IPv4Address(address).is_link_local))


def lan_address(
    *,
    route: Callable[[], str | None] = route_address,
    interfaces: Callable[[], Sequence[tuple[str, str]]] = interface_addresses,
) -> LanAddress:
    """This machine's address for the room: the default route's, else the best interface's.

    Never a loopback address: a machine with nothing else gets `address=None`. Interfaces of
    containers and virtual machines, and link-local addresses, come last.
    """
    ranked = sorted((e for e in interfaces() if usable(e[1])), key=_rank)
    addresses = list(dict.fromkeys(address for _, address in ranked))
    via_route = route()
    if via_route is not None and usable(via_route):
        return LanAddress(via_route, "default route", tuple(a for a in addresses if a != via_route))
    if addresses:
        return LanAddress(addresses[0], "interface", tuple(addresses[1:]))
    return LanAddress(None, "none")
