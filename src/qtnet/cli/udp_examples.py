"""Options of the UDP example commands (broadcast/multicast sender and receiver).

They live here, apart from the examples (``qtnet.examples.*``), because
``qtnet --help`` builds every command's options without importing any Qt
class; each example's own ``main()`` uses the same functions, so
``python -m qtnet.examples.broadcast_sender`` and ``qtnet broadcast-sender``
take the same options.  Defaults are those of Qt's examples (port 45454,
one datagram per second, groups 239.255.43.21 and ff12::2115).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

DEFAULT_PORT = 45454
DEFAULT_GROUP4 = "239.255.43.21"
DEFAULT_GROUP6 = "ff12::2115"


def _port(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 1..65535: {value}")
    return value


def _non_negative(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative: {text}")
        return value

    return parse


def _common_sender(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="UDP port (default 45454)")
    p.add_argument(
        "--interval",
        type=_non_negative(int),
        default=1000,
        metavar="MS",
        help="milliseconds between datagrams (default 1000)",
    )
    p.add_argument(
        "--count",
        type=_non_negative(int),
        default=0,
        help="stop after this many datagrams (default 0: never)",
    )


def _common_receiver(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help="UDP port (default 45454)")
    p.add_argument(
        "--count",
        type=_non_negative(int),
        default=0,
        help="exit after this many datagrams (default 0: never)",
    )
    p.add_argument(
        "--timeout",
        type=_non_negative(float),
        default=0.0,
        metavar="SECONDS",
        help="exit after this long; status 1 if --count was not reached (default: never)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print each datagram as one JSON object (data, sender, destination, hop limit)",
    )


def configure_broadcast_sender(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--address",
        default="255.255.255.255",
        help="destination (default 255.255.255.255; a subnet broadcast address works too)",
    )
    _common_sender(p)


def configure_broadcast_receiver(p: argparse.ArgumentParser) -> None:
    _common_receiver(p)


def configure_multicast_sender(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--group4", default=DEFAULT_GROUP4, help="IPv4 group (default 239.255.43.21; '' for none)"
    )
    p.add_argument(
        "--group6", default=DEFAULT_GROUP6, help="IPv6 group (default ff12::2115; '' for none)"
    )
    p.add_argument(
        "--ttl",
        type=_non_negative(int),
        default=1,
        help="multicast TTL / hop limit (default 1: this network only)",
    )
    p.add_argument(
        "--interface",
        default="",
        metavar="NAME",
        help="send through this interface (default: the system's choice)",
    )
    _common_sender(p)


def configure_multicast_receiver(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--group4", default=DEFAULT_GROUP4, help="IPv4 group (default 239.255.43.21; '' for none)"
    )
    p.add_argument(
        "--group6", default=DEFAULT_GROUP6, help="IPv6 group (default ff12::2115; '' for none)"
    )
    p.add_argument(
        "--interface",
        default="",
        metavar="NAME",
        help="join the groups on this interface (default: the system's choice)",
    )
    _common_receiver(p)
