"""IPv6 scope ids: interface names <-> interface indexes (the OS's tables).

QHostAddress keeps a scope id as text (``fe80::1%eth0``) and needs its index
for a sockaddr, and names a received index after its interface; both ask the
operating system, so they live in the I/O core.
"""

from __future__ import annotations

import socket

__all__ = ["scope_index", "scope_name"]


def scope_index(scope: str | None) -> int:
    """An IPv6 scope id (interface name or number) as an interface index; 0 if unknown."""
    if not scope:
        return 0
    if scope.isascii() and scope.isdigit():
        return int(scope)
    try:
        return socket.if_nametoindex(scope)
    except (OSError, ValueError):
        return 0


def scope_name(index: int) -> str:
    """Qt names a received scope id after its interface (the number if it has none)."""
    try:
        return socket.if_indextoname(index)
    except (OSError, ValueError, OverflowError):
        return str(index)
