"""QWebSocketCorsAuthenticator: the server asks the program whether an Origin is allowed.

QWebSocketServer emits ``originAuthenticationRequired(authenticator)`` for
every valid handshake; a slot calls ``setAllowed(False)`` to refuse the
origin, and the client then gets ``403 Access Forbidden``.  Copies (``copy.copy``
or the copy constructor) are independent, as in Qt.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QWebSocketCorsAuthenticator"]


class QWebSocketCorsAuthenticator:
    __slots__ = ("_origin", "_allowed")

    def __init__(self, origin: Any = "") -> None:
        if isinstance(origin, QWebSocketCorsAuthenticator):
            self._origin: str = origin._origin
            self._allowed: bool = origin._allowed
        else:
            self._origin = str(origin)
            self._allowed = True  # Qt: every origin is allowed unless a slot says otherwise

    def origin(self) -> str:
        return self._origin

    def allowed(self) -> bool:
        return self._allowed

    def setAllowed(self, allowed: bool) -> None:  # noqa: N802
        self._allowed = bool(allowed)

    def swap(self, other: QWebSocketCorsAuthenticator) -> None:
        self._origin, other._origin = other._origin, self._origin
        self._allowed, other._allowed = other._allowed, self._allowed

    def __copy__(self) -> QWebSocketCorsAuthenticator:
        return QWebSocketCorsAuthenticator(self)

    def __repr__(self) -> str:
        return f"<QWebSocketCorsAuthenticator origin={self._origin!r} allowed={self._allowed}>"
