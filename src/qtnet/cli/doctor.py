"""``qtnet doctor``: what this machine gives qtnet (one ``key: value`` per line)."""

from __future__ import annotations

import argparse
import platform
import socket
import sys


def _event_loop() -> str:
    from qtnet.iocore.loops import loop_implementation

    impl = loop_implementation()
    if impl == "uvloop":
        import uvloop

        return f"uvloop {getattr(uvloop, '__version__', '?')}"
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio (uvloop not installed)"
    return "asyncio (QTNET_LOOP=asyncio)"


def _so_reuseport() -> str:
    opt = getattr(socket, "SO_REUSEPORT", None)
    if opt is None:
        return "no (not defined on this platform)"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, opt, 1)
    except OSError as exc:
        return f"no (defined, but setsockopt fails: {exc.strerror or exc})"
    return "yes"


def _ipv6() -> str:
    if not socket.has_ipv6:
        return "no (Python built without IPv6)"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError as exc:
        return f"no (cannot bind ::1: {exc.strerror or exc})"
    return "yes (bound ::1)"


# IPv4: the group of Qt's Multicast Sender/Receiver examples.  IPv6: the
# examples' ff12::2115 is link-local, so routing it needs an interface (a
# scope id) and connect() fails without one whatever the routes; the same
# group number in site-local scope asks the routing table the real question.
_MULTICAST_GROUPS = {socket.AF_INET: "239.255.43.21", socket.AF_INET6: "ff05::2115"}


def _multicast_route(family: socket.AddressFamily) -> str:
    """Whether the kernel has a route for the example group.

    connect() on a UDP socket sends nothing: it only asks the routing table
    for an outgoing interface, and fails with ENETUNREACH when there is none
    (a container without a default route, for example), which is exactly
    when multicast senders see "Network unreachable".
    """
    group = _MULTICAST_GROUPS[family]
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((group, 45454))
            local = s.getsockname()[0]
    except OSError as exc:
        return f"no ({group}: {exc.strerror or exc})"
    return f"yes ({group} goes out via {local})"


def report() -> list[tuple[str, str]]:
    from qtnet.cli.main import qtnet_version

    impl = platform.python_implementation()
    return [
        ("qtnet", qtnet_version()),
        ("python", f"{platform.python_version()} ({impl}) {sys.executable}"),
        ("event loop", _event_loop()),
        ("platform", platform.platform()),
        ("SO_REUSEPORT", _so_reuseport()),
        ("IPv6", _ipv6()),
        ("IPv4 multicast route", _multicast_route(socket.AF_INET)),
        ("IPv6 multicast route", _multicast_route(socket.AF_INET6)),
    ]


def run(args: argparse.Namespace) -> int:
    del args
    for key, value in report():
        print(f"{key}: {value}")
    return 0
