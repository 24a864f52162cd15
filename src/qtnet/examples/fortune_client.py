"""Fortune Client: Qt's ``network/fortuneclient`` example without the dialog.

Event driven: ``requestNewFortune()`` connects; every ``readyRead`` tries to
read one whole fortune inside a QDataStream transaction, which rolls the
socket's read position back when the fortune is still incomplete, so the
next ``readyRead`` simply tries again.  A fortune equal to the previous one
is not shown: the client asks again at once, from a zero-delay single-shot
timer (not from inside the slot that is still reading).

``framing`` is ``qt5`` (the QString alone), ``legacy`` (a quint16 block size
first: Qt 4 and the PySide6 examples) or ``auto`` (decided from the first
bytes of each reply, see :func:`qtnet.examples.fortunes.detect_framing`).

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` and it runs on real Qt.

    python -m qtnet.examples.fortune_client HOST PORT     # = qtnet fortune-client
"""

from __future__ import annotations

import sys

from qtnet import QAbstractSocket, QDataStream, QObject, QTcpSocket, QTimer, Signal
from qtnet.examples.fortunes import detect_framing

__all__ = ["FortuneClient", "describeError"]

# The same fortune this many times in a row means the server has only one.
MAX_REPEATS = 100


class FortuneClient(QObject):
    """Fetches fortunes from ``hostName``:``port`` (see the module docstring)."""

    newFortune = Signal(str)
    error = Signal(QAbstractSocket.SocketError, str)

    def __init__(
        self, hostName: str, port: int, framing: str = "auto", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.hostName = hostName
        self.port = port
        self.framing = framing
        self.currentFortune = ""
        self.repeats = 0
        self.received = False  # a whole fortune arrived on the current connection

        self.tcpSocket = QTcpSocket(self)
        self.inStream = QDataStream()
        self.inStream.setDevice(self.tcpSocket)
        self.inStream.setVersion(QDataStream.Qt_4_0)

        self.tcpSocket.readyRead.connect(self.readFortune)
        self.tcpSocket.errorOccurred.connect(self.displayError)

    def requestNewFortune(self) -> None:
        self.received = False
        self.tcpSocket.abort()
        self.tcpSocket.connectToHost(self.hostName, self.port)

    def replyFraming(self) -> str | None:
        if self.framing != "auto":
            return self.framing
        return detect_framing(bytes(self.tcpSocket.peek(6)))

    def readFortune(self) -> None:
        framing = self.replyFraming()
        if framing is None:
            return  # too few bytes to tell the framing yet

        self.inStream.startTransaction()
        if framing == "legacy":
            self.inStream.readUInt16()  # the block size: the QString carries its own length
        nextFortune = self.inStream.readQString()
        if not self.inStream.commitTransaction():
            return  # incomplete: wait for the next readyRead
        self.received = True

        if nextFortune == self.currentFortune:
            self.repeats += 1
            if self.repeats >= MAX_REPEATS:
                self.error.emit(
                    QAbstractSocket.UnknownSocketError,
                    f"The server sent the same fortune {MAX_REPEATS} times in a row.",
                )
                return
            QTimer.singleShot(0, self.requestNewFortune)
            return
        self.repeats = 0
        self.currentFortune = nextFortune
        self.newFortune.emit(nextFortune)

    def displayError(self, socketError: QAbstractSocket.SocketError) -> None:
        if socketError == QAbstractSocket.RemoteHostClosedError and self.received:
            return  # the server closes after every fortune: the normal end
        where = f"{self.hostName} port {self.port}"
        self.error.emit(
            socketError, describeError(socketError, self.tcpSocket.errorString(), where)
        )


def describeError(socketError: QAbstractSocket.SocketError, errorString: str, where: str) -> str:
    """A message for the user, explaining the errors a fortune client expects."""
    if socketError == QAbstractSocket.RemoteHostClosedError:
        problem = "closed the connection before a whole fortune arrived"
        return f"The server at {where} {problem} ({errorString})."
    if socketError == QAbstractSocket.HostNotFoundError:
        return f"The host of {where} was not found ({errorString}); check the host name."
    if socketError == QAbstractSocket.ConnectionRefusedError:
        hint = "is the fortune server running there?"
        return f"The connection to {where} was refused ({errorString}); {hint}"
    return f"Error talking to {where}: {errorString}."


if __name__ == "__main__":
    from qtnet.cli.main import main

    sys.exit(main(["fortune-client", *sys.argv[1:]]))
