"""QIPv6Address: Qt's Q_IPV6ADDR, 16 bytes in network order."""

from __future__ import annotations

from typing import Any

__all__ = ["QIPv6Address"]


class QIPv6Address(bytearray):
    """Qt's Q_IPV6ADDR: 16 bytes in network order (a bytearray, as PySide6's supports
    ``len``, indexing and ``bytes()``)."""

    def __init__(self, value: Any = None) -> None:
        if value is None:
            super().__init__(16)
            return
        data = bytes(value)
        if len(data) != 16:
            raise ValueError(f"an IPv6 address has 16 bytes, not {len(data)}")
        super().__init__(data)

    def __repr__(self) -> str:
        return f"QIPv6Address({bytes(self)!r})"
