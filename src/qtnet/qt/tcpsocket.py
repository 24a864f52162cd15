"""QTcpSocket: a TCP QAbstractSocket (all of the behaviour lives in the base)."""

from __future__ import annotations

from typing import Any

from .abstractsocket import QAbstractSocket
from .qobject import QObject
from .socketerrors import SocketType

__all__ = ["QTcpSocket"]


class QTcpSocket(QAbstractSocket):
    """A TCP socket with Qt's API; see QAbstractSocket for the semantics."""

    _socket_type = int(SocketType.TcpSocket)

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        # Skips QAbstractSocket.__init__: the socket type is a class default, so
        # sockets made by the thousand (one per accepted connection) stay cheap.
        super(QAbstractSocket, self).__init__(parent, **kwargs)
