"""Network-layer enums shared by QHostAddress and the socket classes.

Qt declares ``NetworkLayerProtocol`` in QAbstractSocket and QHostAddress
re-exports its values (``QHostAddress.IPv4Protocol``); PySide6 returns the very
same members from ``QHostAddress.protocol()`` and ``QAbstractSocket``.  Keeping
the one enum here lets both classes share it without importing each other.
"""

from __future__ import annotations

import enum

__all__ = ["NetworkLayerProtocol"]


class NetworkLayerProtocol(enum.IntEnum):
    """QAbstractSocket::NetworkLayerProtocol (values as in Qt 6)."""

    IPv4Protocol = 0
    IPv6Protocol = 1
    AnyIPProtocol = 2
    UnknownNetworkLayerProtocol = -1
