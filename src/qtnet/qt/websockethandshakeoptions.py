"""QWebSocketHandshakeOptions: what a client asks for in the opening handshake.

Qt (>= 6.4) carries only the requested subprotocols.  qtnet adds one option of
its own, ``setPerMessageDeflate(True)``: offer permessage-deflate (RFC 7692)
to the server; it is used only if the server accepts it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QWebSocketHandshakeOptions"]


class QWebSocketHandshakeOptions:
    __slots__ = ("_subprotocols", "_deflate")

    def __init__(self, other: QWebSocketHandshakeOptions | None = None) -> None:
        if other is not None:
            self._subprotocols: list[str] = list(other._subprotocols)
            self._deflate: bool = other._deflate
        else:
            self._subprotocols = []
            self._deflate = False

    def subprotocols(self) -> list[str]:
        return list(self._subprotocols)

    def setSubprotocols(self, protocols: Any) -> None:  # noqa: N802
        self._subprotocols = [str(p) for p in protocols]

    # -- qtnet extension --------------------------------------------------------
    def perMessageDeflate(self) -> bool:  # noqa: N802
        """Whether the client offers permessage-deflate (qtnet extension)."""
        return self._deflate

    def setPerMessageDeflate(self, enabled: bool) -> None:  # noqa: N802
        self._deflate = bool(enabled)

    def swap(self, other: QWebSocketHandshakeOptions) -> None:
        self._subprotocols, other._subprotocols = other._subprotocols, self._subprotocols
        self._deflate, other._deflate = other._deflate, self._deflate

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, QWebSocketHandshakeOptions)
            and other._subprotocols == self._subprotocols
            and other._deflate == self._deflate
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> QWebSocketHandshakeOptions:
        return QWebSocketHandshakeOptions(self)

    def __repr__(self) -> str:
        return f"<QWebSocketHandshakeOptions subprotocols={self._subprotocols!r}>"
