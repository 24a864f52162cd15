"""Blocking Fortune Client: Qt's ``network/blockingfortuneclient`` without the dialog.

All network work happens in a QThread whose ``run()`` has no event loop: it
uses only the blocking calls ``waitForConnected()`` and ``waitForReadyRead()``.
Each fortune needs a new connection (the server closes after one); a fortune
equal to the previous one is asked for again at once.  Results reach the
thread that created the BlockingFortuneThread object (normally the main thread)
through its signals, which Qt queues across threads.

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` and it runs on real Qt.

    python -m qtnet.examples.blocking_fortune_client HOST PORT   # = qtnet blocking-fortune-client
"""

from __future__ import annotations

import sys

from qtnet import QAbstractSocket, QDataStream, QObject, QTcpSocket, QThread, Signal
from qtnet.examples.fortunes import detect_framing

__all__ = ["BlockingFortuneThread"]

TIMEOUT_MS = 5000
MAX_REPEATS = 100  # the same fortune this often in a row: the server has only one


class BlockingFortuneThread(QThread):
    """Fetches ``count`` different-from-the-last fortunes, then finishes."""

    newFortune = Signal(str)
    error = Signal(QAbstractSocket.SocketError, str)

    def __init__(
        self,
        hostName: str,
        port: int,
        count: int = 1,
        framing: str = "auto",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hostName = hostName
        self.port = port
        self.count = count
        self.framing = framing

    def run(self) -> None:
        currentFortune = ""
        received = repeats = 0
        while received < self.count and not self.isInterruptionRequested():
            socket = QTcpSocket()
            socket.connectToHost(self.hostName, self.port)
            if not socket.waitForConnected(TIMEOUT_MS):
                self.error.emit(socket.error(), socket.errorString())
                return

            fortune = self.readFortune(socket)
            socket.abort()
            if fortune is None:
                return  # readFortune reported the error
            if fortune == currentFortune:
                repeats += 1
                if repeats >= MAX_REPEATS:
                    self.error.emit(
                        QAbstractSocket.UnknownSocketError,
                        f"The server sent the same fortune {MAX_REPEATS} times in a row",
                    )
                    return
                continue  # ask again for a different one
            repeats = 0
            currentFortune = fortune
            received += 1
            self.newFortune.emit(fortune)

    def readFortune(self, socket: QTcpSocket) -> str | None:
        inStream = QDataStream(socket)
        inStream.setVersion(QDataStream.Qt_4_0)
        while True:
            if not socket.waitForReadyRead(TIMEOUT_MS):
                self.error.emit(socket.error(), socket.errorString())
                return None
            framing: str | None = self.framing
            if framing == "auto":
                framing = detect_framing(bytes(socket.peek(6)))
                if framing is None:
                    continue  # too few bytes to tell yet

            inStream.startTransaction()
            if framing == "legacy":
                inStream.readUInt16()  # the block size: the QString carries its own length
            fortune: str = inStream.readQString()
            if inStream.commitTransaction():
                return fortune


if __name__ == "__main__":
    from qtnet.cli.main import main

    sys.exit(main(["blocking-fortune-client", *sys.argv[1:]]))
