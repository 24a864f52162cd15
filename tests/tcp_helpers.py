"""Helpers shared by the TCP tests (test_tcpserver.py, test_tcpsocket.py, ...).

* :class:`SignalLog` records a socket's signals in emission order, the way the
  PySide6 experiments that fixed the expected orders recorded them.
* :func:`connected_pair` gives a connected (client, server-side) QTcpSocket pair
  on loopback.
* :func:`closed_port` gives a loopback port nobody listens on (connections to
  it are refused).
"""

from __future__ import annotations

import socket
from typing import Any

from qt_helpers import wait_until
from qtnet import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket


def closed_port(family: int = socket.AF_INET) -> int:
    """A port on loopback that was free a moment ago (nothing listens there)."""
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class SignalLog:
    """Every signal of a QAbstractSocket, as (name, details...) tuples."""

    def __init__(self, sock: QAbstractSocket, tag: str = "") -> None:
        self.sock = sock
        self.events: list[tuple[Any, ...]] = []
        ev = self.events
        sock.stateChanged.connect(
            lambda s: ev.append(("state", QAbstractSocket.SocketState(s).name))
        )
        sock.hostFound.connect(lambda: ev.append(("hostFound",)))
        sock.connected.connect(lambda: ev.append(("connected", sock.state().name)))
        sock.disconnected.connect(lambda: ev.append(("disconnected", sock.state().name)))
        sock.errorOccurred.connect(
            lambda e: ev.append(("error", QAbstractSocket.SocketError(e).name, sock.state().name))
        )
        sock.readyRead.connect(lambda: ev.append(("readyRead",)))
        sock.readChannelFinished.connect(lambda: ev.append(("readChannelFinished",)))
        sock.aboutToClose.connect(lambda: ev.append(("aboutToClose",)))
        sock.bytesWritten.connect(lambda n: ev.append(("bytesWritten", n)))

    def names(self) -> list[str]:
        return [e[0] for e in self.events]

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [e for e in self.events if e[0] == name]

    def clear(self) -> None:
        self.events.clear()


def listening_server(address: Any = QHostAddress.SpecialAddress.LocalHost) -> QTcpServer:
    server = QTcpServer()
    assert server.listen(address, 0), server.errorString()
    return server


def connected_pair(server: QTcpServer, host: str = "127.0.0.1") -> tuple[QTcpSocket, QTcpSocket]:
    """A client connected to ``server`` and the server's socket for it."""
    client = QTcpSocket()
    client.connectToHost(host, server.serverPort())
    assert client.waitForConnected(5000), client.errorString()
    for _ in range(100):  # bounded: every pending socket is checked once at most
        if not server.hasPendingConnections():
            assert wait_until(server.hasPendingConnections, 5000)
        peer = server.nextPendingConnection()
        assert peer is not None
        if peer.peerPort() == client.localPort():
            return client, peer
        peer.abort()
    raise AssertionError("the server never accepted the client")
