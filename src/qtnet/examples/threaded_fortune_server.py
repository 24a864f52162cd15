"""Threaded Fortune Server: Qt's ``network/threadedfortuneserver`` without the dialog.

A QTcpServer subclass overrides ``incomingConnection(socketDescriptor)``, so
the server creates no QTcpSocket itself: it hands the native descriptor of
every accepted connection to a new FortuneThread.  The thread's ``run()``
adopts the descriptor with ``setSocketDescriptor()``, writes the fortune and
closes with ``disconnectFromHost()`` + ``waitForDisconnected()`` — blocking
calls that do the I/O themselves, since the thread runs no event loop.  When
``run()`` returns, ``finished`` (queued to the server's thread) deletes the
thread object.

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` and it runs on real Qt.

    python -m qtnet.examples.threaded_fortune_server    # = qtnet threaded-fortune-server
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

from qtnet import QDataStream, QObject, QTcpServer, QTcpSocket, QThread, Signal
from qtnet.examples.fortune_server import fortuneBlock
from qtnet.examples.fortunes import FORTUNES

__all__ = ["FortuneThread", "ThreadedFortuneServer"]


class FortuneThread(QThread):
    """Serves one fortune on one accepted connection, then ends."""

    error = Signal(QTcpSocket.SocketError)

    def __init__(
        self,
        socketDescriptor: int,
        fortune: str,
        framing: str,
        version: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.socketDescriptor = socketDescriptor
        self.text = fortune
        self.framing = framing
        self.version = version

    def run(self) -> None:
        tcpSocket = QTcpSocket()
        if not tcpSocket.setSocketDescriptor(self.socketDescriptor):
            self.error.emit(tcpSocket.error())
            return

        tcpSocket.write(fortuneBlock(self.text, self.framing, self.version))
        tcpSocket.disconnectFromHost()
        if tcpSocket.state() != QTcpSocket.UnconnectedState:
            tcpSocket.waitForDisconnected()


class ThreadedFortuneServer(QTcpServer):
    """One FortuneThread per connection (see the module docstring)."""

    connectionError = Signal(QTcpSocket.SocketError)  # a FortuneThread's error

    def __init__(
        self,
        fortunes: Sequence[str] = FORTUNES,
        framing: str = "qt5",
        version: int = QDataStream.Qt_5_10,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.fortunes = list(fortunes)
        self.framing = framing
        self.version = version
        self.served = 0

    def incomingConnection(self, socketDescriptor: int) -> None:
        fortune = random.choice(self.fortunes)
        thread = FortuneThread(socketDescriptor, fortune, self.framing, self.version, self)
        thread.error.connect(self.connectionError)
        thread.finished.connect(thread.deleteLater)
        thread.start()
        self.served += 1

    def activeConnections(self) -> int:
        """Connections whose thread has not been deleted yet."""
        return sum(1 for child in self.children() if isinstance(child, QThread))


if __name__ == "__main__":
    from qtnet.cli.main import main

    sys.exit(main(["threaded-fortune-server", *sys.argv[1:]]))
