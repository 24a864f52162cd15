"""QWebSocketProtocol: the namespace of the WebSocket enums (Qt's values).

``QWebSocketProtocol.CloseCode.CloseCodeNormal`` and the short
``QWebSocketProtocol.CloseCodeNormal`` both work, as in PySide6.  The enums
themselves live in the sans-I/O codec (``codecs/ws_frames.py``) so the
protocol core and the Qt layer share one definition.
"""

from __future__ import annotations

from ..codecs.ws_frames import CloseCode, Version
from .enums import export_enums

__all__ = ["QWebSocketProtocol"]


class QWebSocketProtocol:
    """Namespace (Qt: ``namespace QWebSocketProtocol``)."""

    CloseCode = CloseCode
    Version = Version


export_enums(QWebSocketProtocol, CloseCode, Version)
