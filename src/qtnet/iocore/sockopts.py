"""QAbstractSocket::SocketOption ↔ setsockopt/getsockopt.

Option numbers are the values of ``QAbstractSocket::SocketOption``.  Values
pass through as ints, as Qt does (the kernel may adjust them: Linux doubles
buffer sizes).  Where Qt uses an IPv4-only option on an IPv6 socket and so
reports nothing (type of service, multicast), the IPv6 equivalent is used.
"""

from __future__ import annotations

import socket

LOW_DELAY = 0
KEEP_ALIVE = 1
MULTICAST_TTL = 2
MULTICAST_LOOPBACK = 3
TYPE_OF_SERVICE = 4
SEND_BUFFER_SIZE = 5
RECEIVE_BUFFER_SIZE = 6
PATH_MTU = 7
KEEP_ALIVE_IDLE = 8
KEEP_ALIVE_INTERVAL = 9
KEEP_ALIVE_COUNT = 10

_IP_MTU = getattr(socket, "IP_MTU", 14)
_IPV6_MTU = getattr(socket, "IPV6_MTU", 24)
_IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)


def _level_name(option: int, family: int) -> tuple[int, int] | None:
    v6 = family == socket.AF_INET6
    if option == LOW_DELAY:
        return socket.IPPROTO_TCP, socket.TCP_NODELAY
    if option == KEEP_ALIVE:
        return socket.SOL_SOCKET, socket.SO_KEEPALIVE
    if option == SEND_BUFFER_SIZE:
        return socket.SOL_SOCKET, socket.SO_SNDBUF
    if option == RECEIVE_BUFFER_SIZE:
        return socket.SOL_SOCKET, socket.SO_RCVBUF
    if option == TYPE_OF_SERVICE:
        return (socket.IPPROTO_IPV6, _IPV6_TCLASS) if v6 else (socket.IPPROTO_IP, socket.IP_TOS)
    if option == MULTICAST_TTL:
        if v6:
            return socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS
        return socket.IPPROTO_IP, socket.IP_MULTICAST_TTL
    if option == MULTICAST_LOOPBACK:
        if v6:
            return socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP
        return socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP
    if option == PATH_MTU:
        return (socket.IPPROTO_IPV6, _IPV6_MTU) if v6 else (socket.IPPROTO_IP, _IP_MTU)
    if option == KEEP_ALIVE_IDLE and hasattr(socket, "TCP_KEEPIDLE"):
        return socket.IPPROTO_TCP, socket.TCP_KEEPIDLE
    if option == KEEP_ALIVE_INTERVAL and hasattr(socket, "TCP_KEEPINTVL"):
        return socket.IPPROTO_TCP, socket.TCP_KEEPINTVL
    if option == KEEP_ALIVE_COUNT and hasattr(socket, "TCP_KEEPCNT"):
        return socket.IPPROTO_TCP, socket.TCP_KEEPCNT
    return None


def set_option(sock: socket.socket, option: int, value: int) -> bool:
    """Set one option; False when the OS refuses it or it does not apply."""
    where = _level_name(int(option), sock.family)
    if where is None:
        return False
    try:
        sock.setsockopt(where[0], where[1], int(value))
    except OSError:
        return False
    return True


def get_option(sock: socket.socket, option: int) -> int | None:
    """Read one option; None (Qt: an invalid QVariant) when it cannot be read."""
    where = _level_name(int(option), sock.family)
    if where is None:
        return None
    try:
        return sock.getsockopt(where[0], where[1])
    except OSError:
        return None
