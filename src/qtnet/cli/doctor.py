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
    ]


def run(args: argparse.Namespace) -> int:
    del args
    for key, value in report():
        print(f"{key}: {value}")
    return 0
